import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { ROLES, type Role } from '../../../server/domain/roles';

interface Draft {
  id: number | null;
  username: string;
  displayName: string;
  role: Role;
  password: string;
  pin: string;
  deptApprover: boolean;
  departmentId: number | null;
  gateIds: number[];
}
const BLANK: Draft = {
  id: null,
  username: '',
  displayName: '',
  role: 'filer',
  password: '',
  pin: '',
  deptApprover: false,
  departmentId: null,
  gateIds: [],
};

export function UsersPage() {
  const state = useAppState();
  const t = state.t.value;
  const users = useResource(() => ok(api.users.$get({ query: {} })));
  const gates = useResource(() => ok(api.gates.$get()));
  const departments = useResource(() => ok(api.departments.$get()));
  const [draft, setDraft] = useState<Draft | null>(null);
  const action = useAction();
  const set = (patch: Partial<Draft>) => draft && setDraft({ ...draft, ...patch });

  const save = (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    void action.run(async () => {
      const binding = { role: draft.role, departmentId: draft.departmentId, gateIds: draft.gateIds };
      if (draft.id === null) {
        await ok(
          api.users.$post({
            json: { ...binding, username: draft.username, displayName: draft.displayName, password: draft.password },
          }),
        );
      } else {
        await ok(
          api.users[':id'].$patch({
            param: { id: String(draft.id) },
            json: {
              ...binding,
              displayName: draft.displayName,
              ...(draft.password ? { password: draft.password } : {}),
              ...(draft.pin ? { pin: draft.pin } : {}),
              ...(draft.role === 'filer' ? { deptApprover: draft.deptApprover } : {}),
            },
          }),
        );
      }
      setDraft(null);
      users.reload();
    });
  };
  const toggle = (id: number, disabled: boolean) =>
    void action.run(async () => {
      await ok(api.users[':id'].$patch({ param: { id: String(id) }, json: { disabled } }));
      users.reload();
    });

  const deptName = (id: number | null) => {
    const d = departments.data?.find((x) => x.id === id);
    return d ? state.nameOf(d) : t('users.none');
  };
  const gateNames = (ids: number[]) =>
    ids
      .map((id) => {
        const g = gates.data?.find((x) => x.id === id);
        return g ? state.nameOf(g) : id;
      })
      .join(state.lang.value === 'en' ? ', ' : '、') || t('users.none');

  return (
    <section class="card">
      <header class="row">
        <h1>{t('users.title')}</h1>
        <button type="button" class="primary" onClick={() => setDraft(BLANK)}>
          {t('common.create')}
        </button>
      </header>
      <ErrorBanner error={users.error} />
      {draft && (
        <form class="inline-form" onSubmit={save} data-editing={draft.id ?? 'new'}>
          <Field label={t('users.username')} name="username" error={action.error}>
            <input
              name="username"
              value={draft.username}
              disabled={draft.id !== null}
              onInput={(e) => set({ username: e.currentTarget.value })}
              required
            />
          </Field>
          <Field label={t('users.displayName')} name="displayName" error={action.error}>
            <input
              name="displayName"
              value={draft.displayName}
              onInput={(e) => set({ displayName: e.currentTarget.value })}
              required
            />
          </Field>
          <Field label={t('users.role')} name="role" error={action.error}>
            <select name="role" value={draft.role} onChange={(e) => set({ role: e.currentTarget.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          {draft.role === 'filer' && (
            <Field label={t('users.department')} name="departmentId" error={action.error}>
              <select
                name="departmentId"
                value={String(draft.departmentId ?? '')}
                onChange={(e) => set({ departmentId: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
              >
                <option value="">{t('users.none')}</option>
                {departments.data?.map((d) => (
                  <option key={d.id} value={d.id}>
                    {state.nameOf(d)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {draft.role === 'filer' && draft.id !== null && (
            <label class="check">
              <input
                type="checkbox"
                name="deptApprover"
                checked={draft.deptApprover}
                onChange={(e) => set({ deptApprover: e.currentTarget.checked })}
              />
              {t('users.deptApprover')}
            </label>
          )}
          {draft.role === 'guard' && (
            <fieldset class="field" data-field="gateIds">
              <legend>{t('users.gates')}</legend>
              {gates.data?.map((g) => (
                <label key={g.id} class="check">
                  <input
                    type="checkbox"
                    name="gateIds"
                    value={g.id}
                    checked={draft.gateIds.includes(g.id)}
                    onChange={(e) =>
                      set({
                        gateIds: e.currentTarget.checked
                          ? [...draft.gateIds, g.id]
                          : draft.gateIds.filter((x) => x !== g.id),
                      })
                    }
                  />
                  {state.nameOf(g)}
                </label>
              ))}
            </fieldset>
          )}
          {draft.role === 'guard' && draft.id !== null && (
            <Field label={t('users.pin')} name="pin" error={action.error}>
              <input
                name="pin"
                inputMode="numeric"
                autocomplete="off"
                value={draft.pin}
                onInput={(e) => set({ pin: e.currentTarget.value })}
              />
            </Field>
          )}
          <Field
            label={draft.id === null ? t('users.password') : t('users.newPassword')}
            name="password"
            error={action.error}
          >
            <input
              name="password"
              type="password"
              autocomplete="new-password"
              value={draft.password}
              onInput={(e) => set({ password: e.currentTarget.value })}
              required={draft.id === null}
            />
          </Field>
          <ErrorBanner error={action.error} />
          <button type="submit" class="primary" disabled={action.busy}>
            {t('common.save')}
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <table>
        <thead>
          <tr>
            <th>{t('users.username')}</th>
            <th>{t('users.displayName')}</th>
            <th>{t('users.role')}</th>
            <th>{t('users.department')}</th>
            <th>{t('users.gates')}</th>
            <th>{t('common.status')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id} data-username={u.username}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{deptName(u.departmentId)}</td>
              <td>{gateNames(u.gateIds)}</td>
              <td>{u.disabled ? t('users.disabled') : t('common.active')}</td>
              <td>
                <button type="button" onClick={() => setDraft({ ...BLANK, ...u, password: '', pin: '' })}>
                  {t('common.edit')}
                </button>
                <button type="button" onClick={() => toggle(u.id, !u.disabled)}>
                  {u.disabled ? t('users.enable') : t('users.disable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
