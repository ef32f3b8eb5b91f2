import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';
import { TOKEN_SCOPES, type TokenScope } from '../../../server/domain/roles';

const LIFETIMES = [30, 90, 180, 365] as const;

/** Integration tokens: what each may reach (scopes), for how long, shown once, listed without the secret. */
export function TokensPage() {
  const state = useAppState();
  const t = state.t.value;
  const tokens = useResource(() => ok(api.tokens.$get()));
  const departments = useResource(() => ok(api.departments.$get()));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['requests:file']);
  const [departmentId, setDepartmentId] = useState<number | null>(null);
  const [days, setDays] = useState<number>(90);
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const files = scopes.includes('requests:file');
  const toggle = (s: TokenScope, on: boolean) =>
    setScopes(on ? TOKEN_SCOPES.filter((x) => x === s || scopes.includes(x)) : scopes.filter((x) => x !== s));
  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const dept = files ? (departmentId ?? departments.data?.[0]?.id ?? null) : null;
      const created = await ok(api.tokens.$post({ json: { name, scopes, departmentId: dept, expiresInDays: days } }));
      setSecret(created.token);
      setName('');
      tokens.reload();
    });
  };
  const revoke = (id: number) =>
    void action.run(async () => {
      await ok(api.tokens[':id'].$delete({ param: { id: String(id) } }));
      tokens.reload();
    });
  const when = (iso: string | null) => state.at(iso);
  return (
    <section class="card">
      <h1>{t('tokens.title')}</h1>
      <form class="stack-form" onSubmit={create}>
        <Field label={t('common.name')} name="name" error={action.error}>
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </Field>
        <fieldset>
          <legend>{t('tokens.scopes')}</legend>
          {TOKEN_SCOPES.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                name="scopes"
                value={s}
                checked={scopes.includes(s)}
                onChange={(e) => toggle(s, e.currentTarget.checked)}
              />
              {t(`tokens.scope.${s}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <div class="inline-form">
          <Field label={t('tokens.department')} name="departmentId" error={action.error}>
            <select
              name="departmentId"
              disabled={!files}
              onChange={(e) => setDepartmentId(Number(e.currentTarget.value))}
            >
              {departments.data?.map((d) => (
                <option key={d.id} value={d.id}>
                  {state.nameOf(d)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('tokens.expiresIn')} name="expiresInDays" error={action.error}>
            <select name="expiresInDays" value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
              {LIFETIMES.map((n) => (
                <option key={n} value={n}>
                  {t('tokens.days', { n })}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="primary" disabled={action.busy || scopes.length === 0}>
            {t('common.create')}
          </button>
        </div>
        {!files && <p class="hint">{t('tokens.departmentHint')}</p>}
      </form>
      <ErrorBanner error={action.error ?? tokens.error} />
      {secret && (
        <p class="ok" role="status">
          {t('tokens.created')} <code data-secret>{secret}</code>
        </p>
      )}
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('common.name')}</th>
              <th>{t('tokens.kind')}</th>
              <th>{t('tokens.scopes')}</th>
              <th>{t('tokens.department')}</th>
              <th>{t('tokens.expires')}</th>
              <th>{t('tokens.lastUsed')}</th>
              <th>{t('common.status')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.map((tk) => (
              <tr key={tk.id} data-token={tk.id} data-status={tk.status}>
                <td>{tk.name}</td>
                <td>{t(`tokens.kind.${tk.kind}` as MessageKey)}</td>
                <td>
                  {tk.scopes.map((s) => (
                    <div key={s}>{t(`tokens.scope.${s}` as MessageKey)}</div>
                  ))}
                </td>
                <td>{((d) => (d ? state.nameOf(d) : '—'))(departments.data?.find((d) => d.id === tk.departmentId))}</td>
                <td>{tk.kind === 'integration' && !tk.expiresAt ? t('tokens.noExpiry') : when(tk.expiresAt)}</td>
                <td>{when(tk.lastUsedAt)}</td>
                <td>
                  {tk.status === 'revoked'
                    ? t('tokens.revoked')
                    : tk.status === 'expired'
                      ? t('tokens.expired')
                      : t('common.active')}
                </td>
                <td>
                  {tk.status === 'active' && (
                    <button type="button" onClick={() => revoke(tk.id)}>
                      {t('tokens.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
