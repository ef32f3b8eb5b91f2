import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

export function TokensPage() {
  const state = useAppState();
  const t = state.t.value;
  const tokens = useResource(() => ok(api.tokens.$get()));
  const departments = useResource(() => ok(api.departments.$get()));
  const [name, setName] = useState('');
  const [departmentId, setDepartmentId] = useState<number | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = await ok(api.tokens.$post({ json: { name, departmentId: departmentId ?? departments.data?.[0]?.id ?? 0 } }));
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
  return (
    <section class="card">
      <h1>{t('tokens.title')}</h1>
      <form class="inline-form" onSubmit={create}>
        <Field label={t('common.name')} name="name" error={action.error}>
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </Field>
        <Field label={t('tokens.department')} name="departmentId" error={action.error}>
          <select name="departmentId" onChange={(e) => setDepartmentId(Number(e.currentTarget.value))}>
            {departments.data?.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </Field>
        <button type="submit" class="primary" disabled={action.busy}>{t('common.create')}</button>
      </form>
      <ErrorBanner error={action.error ?? tokens.error} />
      {secret && (
        <p class="ok" role="status">
          {t('tokens.created')} <code data-secret>{secret}</code>
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>{t('common.name')}</th>
            <th>{t('tokens.department')}</th>
            <th>{t('tokens.lastUsed')}</th>
            <th>{t('common.status')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {tokens.data?.map((tk) => (
            <tr key={tk.id}>
              <td>{tk.name}</td>
              <td>{departments.data?.find((d) => d.id === tk.departmentId)?.name ?? '—'}</td>
              <td>{tk.lastUsedAt ? new Date(tk.lastUsedAt).toLocaleString() : '—'}</td>
              <td>{tk.revoked ? t('tokens.revoked') : t('common.active')}</td>
              <td>{!tk.revoked && <button type="button" onClick={() => revoke(tk.id)}>{t('tokens.revoke')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
