import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { TlsPanel } from '../components/tls-panel';
import { api, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

/** Gate tablets: enroll with a one-time code, see last contact and version, revoke. */
export function DevicesPage() {
  const state = useAppState();
  const t = state.t.value;
  const devices = useResource(() => ok(api.devices.$get()));
  const gates = useResource(() => ok(api.gates.$get()));
  const [gateId, setGateId] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  /** Revoking asks first, saying what follows: decisions still on the tablet will never reach the server. */
  const [revoking, setRevoking] = useState<number | null>(null);
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const action = useAction();
  const gateName = (id: number) => {
    const g = gates.data?.find((x) => x.id === id);
    return g ? state.nameOf(g) : String(id);
  };
  const create = () =>
    void action.run(async () => {
      const id = gateId ?? gates.data?.[0]?.id;
      if (id) {
        setCode(await ok(api.devices.enrollments.$post({ json: { gateId: id, ...(name.trim() ? { name } : {}) } })));
        setName('');
      }
    });
  const rename = () =>
    void action.run(async () => {
      if (!renaming) return;
      await ok(api.devices[':id'].$patch({ param: { id: String(renaming.id) }, json: { name: renaming.name } }));
      setRenaming(null);
      devices.reload();
    });
  const revoke = (id: number) =>
    void action.run(async () => {
      await ok(api.devices[':id'].revoke.$post({ param: { id: String(id) } }));
      devices.reload();
    });
  const resync = (id: number) =>
    void action.run(async () => {
      await ok(api.devices[':id'].resync.$post({ param: { id: String(id) } }));
      devices.reload();
    });
  const when = (iso: string | null) => state.at(iso);
  return (
    <section class="card">
      <h1>{t('devices.title')}</h1>
      <div class="inline-form">
        <label class="field">
          <span>{t('devices.gate')}</span>
          <select onChange={(e) => setGateId(Number(e.currentTarget.value))}>
            {gates.data?.map((g) => (
              <option key={g.id} value={g.id}>
                {state.nameOf(g)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('devices.name')}</span>
          <input name="name" value={name} maxLength={40} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="button" class="primary" onClick={create} disabled={action.busy}>
          {t('devices.enroll')}
        </button>
      </div>
      {code && (
        <p class="ok enroll-code" role="status">
          {t('devices.code')} <strong data-testid="enroll-code">{code.code}</strong> ·{' '}
          {t('devices.expires', {
            time: state.at(code.expiresAt, { time: true }),
          })}
        </p>
      )}
      <ErrorBanner error={action.error ?? devices.error} />
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('common.name')}</th>
              <th>{t('devices.gate')}</th>
              <th>{t('devices.lastSeen')}</th>
              <th>{t('devices.snapshot')}</th>
              <th>{t('devices.version')}</th>
              <th>{t('common.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {devices.data?.map((d) => (
              <tr key={d.id} data-device={d.id}>
                <td>{d.id}</td>
                <td>
                  {renaming?.id === d.id ? (
                    <span class="inline-edit">
                      <input
                        aria-label={t('devices.name')}
                        value={renaming.name}
                        maxLength={40}
                        onInput={(e) => setRenaming({ id: d.id, name: e.currentTarget.value })}
                      />
                      <button
                        type="button"
                        class="primary"
                        onClick={rename}
                        disabled={action.busy || !renaming.name.trim()}
                      >
                        {t('common.save')}
                      </button>
                    </span>
                  ) : (
                    <>
                      {d.name}{' '}
                      <button type="button" class="link" onClick={() => setRenaming({ id: d.id, name: d.name })}>
                        {t('devices.rename')}
                      </button>
                    </>
                  )}
                </td>
                <td>{gateName(d.gateId)}</td>
                <td>{when(d.lastSeenAt)}</td>
                <td data-snapshot-state>
                  {when(d.lastSnapshotAt)}
                  {d.resyncRequested && <div class="hint">{t('devices.resyncPending')}</div>}
                  {d.lastDivergenceAt && (
                    <div class="danger-text">{t('devices.diverged', { time: when(d.lastDivergenceAt) })}</div>
                  )}
                </td>
                <td>{d.appVersion || '—'}</td>
                <td>
                  {d.revoked ? t('devices.revoked') : t('common.active')}
                  {!d.revoked && d.storage && (
                    <div
                      class={d.storage === 'evictable' ? 'danger-text' : 'hint'}
                      data-storage={d.storage}
                      title={d.storage === 'evictable' ? t('devices.storageEvictableHint') : undefined}
                    >
                      {t(d.storage === 'evictable' ? 'devices.storageEvictable' : 'devices.storagePersisted')}
                    </div>
                  )}
                </td>
                <td class="row-actions">
                  {!d.revoked && (
                    <button type="button" onClick={() => resync(d.id)} disabled={action.busy || d.resyncRequested}>
                      {t('devices.resync')}
                    </button>
                  )}
                  {!d.revoked && revoking !== d.id && (
                    <button type="button" onClick={() => setRevoking(d.id)}>
                      {t('devices.revoke')}
                    </button>
                  )}
                  {!d.revoked && revoking === d.id && (
                    <span class="confirm" role="alertdialog" aria-label={t('devices.revoke')}>
                      <span class={d.outboxPending > 0 ? 'danger-text' : ''}>
                        {d.outboxPending > 0
                          ? t('devices.revokeUnsynced', { n: d.outboxPending })
                          : t('devices.revokeConfirm')}
                      </span>
                      <button
                        type="button"
                        class="danger"
                        onClick={() => {
                          setRevoking(null);
                          revoke(d.id);
                        }}
                      >
                        {t('devices.revokeYes')}
                      </button>
                      <button type="button" onClick={() => setRevoking(null)}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <TlsPanel />
    </section>
  );
}
