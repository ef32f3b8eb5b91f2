import { Checks } from '../components/checks';
import { ErrorBanner } from '../components/form';
import { useEffect } from 'preact/hooks';
import { api, ok, openLiveStream } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

/** Who is on campus now, with host and escort; those past their window first and marked. */
export function PresencePage() {
  const state = useAppState();
  const t = state.t.value;
  const rows = useResource(() => ok(api.presence.$get()));
  // Who is inside changes with every sync: the list follows the office's live stream.
  useEffect(() => openLiveStream({ onWall: () => rows.reload() }), []);
  const at = (iso: string) => state.at(iso);
  const sorted = [...(rows.data ?? [])].sort((a, b) => Number(b.overstay) - Number(a.overstay));
  return (
    <section class="card">
      <header class="row">
        <h1>
          {t('presence.title')} · {sorted.length}
        </h1>
        <button type="button" onClick={rows.reload}>
          ↻
        </button>
      </header>
      <ErrorBanner error={rows.error} />
      <table>
        <thead>
          <tr>
            <th>{t('presence.visitor')}</th>
            <th>{t('presence.host')}</th>
            <th>{t('presence.escort')}</th>
            <th>{t('presence.gate')}</th>
            <th>{t('presence.admitted')}</th>
            <th>{t('presence.windowEnd')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <tr key={p.eventId} class={p.overstay ? 'overstay' : ''} data-visitor={p.visitorId}>
              <td>
                {p.visitorName} {p.overstay && <span class="status status-rejected">{t('presence.overstay')}</span>}
                {p.failedChecks.length > 0 && (
                  <span class="status status-rejected" data-testid="failed-checks">
                    {t('presence.failedChecks')}: <Checks codes={p.failedChecks} />
                  </span>
                )}
              </td>
              <td>{p.department}</td>
              <td>
                {p.escortName} {p.escortPhone} ·{' '}
                {p.escortArrived ? t('presence.escortArrived') : t('presence.escortWaiting')}
              </td>
              <td>{p.gateName}</td>
              <td>{at(p.admittedAt)}</td>
              <td>{at(p.windowEnd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
