import { useEffect, useState } from 'preact/hooks';
import { refusalGroup } from '../../../server/domain/report-figures';
import { ErrorBanner } from '../components/form';
import { api, ok, openLiveStream, type Wall } from '../lib/api';
import { useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';

/** The security office's live wall: every gate at a glance, fed by server-sent events. */
export function LivePage() {
  const state = useAppState();
  const t = state.t.value;
  const lang = state.lang.value;
  const [wall, setWall] = useState<Wall | null>(null);
  const [connected, setConnected] = useState(false);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const action = useAction();
  useEffect(() => openLiveStream({ onWall: setWall, onConnection: setConnected }), []);
  // The wall's lists name the campus zone once, in their heading.
  const time = (iso: string) => state.at(iso, { time: true, seconds: true, zone: false });
  const reason = (r: string) => t(`group.${refusalGroup(r)}` as MessageKey);
  const ack = (key: string) =>
    void action.run(() => ok(api.alerts.ack.$post({ json: { key, note: notes[key] || null } })));
  // Many alerts of one incident (a tablet's clock, a group's escort) are acknowledged together, with one note.
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkNote, setBulkNote] = useState('');
  const openKeys = (wall?.alerts ?? []).filter((a) => !a.acknowledged).map((a) => a.key);
  const chosen = selected.filter((k) => openKeys.includes(k));
  const ackSelected = () =>
    void action.run(async () => {
      await ok(api.alerts['ack-bulk'].$post({ json: { keys: chosen, note: bulkNote || null } }));
      setSelected([]);
      setBulkNote('');
    });
  return (
    <section class="live">
      <header class="row">
        <h1>{t('live.title')}</h1>
        {wall && (
          <span class={`status level-${wall.level.id}`} data-testid="live-level" data-level={wall.level.id}>
            {t('live.level', { level: lang === 'en' ? wall.level.nameEn : wall.level.nameZh })}
          </span>
        )}
        <span class={connected ? 'status status-approved' : 'status status-rejected'} data-testid="live-connection">
          {connected ? t('live.connected') : t('live.disconnected')}
        </span>
        {wall && (
          <span class="live-totals">
            <strong data-testid="live-on-campus">{t('live.onCampus', { n: wall.onCampus })}</strong>
            {wall.overstays > 0 && (
              <span class="status status-rejected">{t('live.overstays', { n: wall.overstays })}</span>
            )}
          </span>
        )}
      </header>
      <ErrorBanner error={action.error} />
      {wall && wall.emergencies.length > 0 && (
        <section class="emergencies" aria-live="assertive" data-testid="live-emergencies">
          <h2>
            <a href="/admin/review">{t('live.emergencies')}</a>
          </h2>
          <ul>
            {wall.emergencies.map((e) => (
              <li key={e.requestId} data-emergency={e.requestId}>
                #{e.requestId} · {lang === 'en' ? e.gateNameEn || e.gateName : e.gateName} · {e.name} · {e.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div class="live-grid">
        {wall?.gates.map((g) => (
          <article class="card gate-card" key={g.id} data-gate={g.id}>
            <h2>{state.nameOf(g)}</h2>
            <dl class="counts">
              <div>
                <dt>{t('fig.entrants')}</dt>
                <dd data-testid={`entrants-${g.id}`}>{g.figures.entrants}</dd>
              </div>
              <div>
                <dt>{t('fig.admitted')}</dt>
                <dd>{g.figures.admitted}</dd>
              </div>
              <div>
                <dt>{t('fig.refused')}</dt>
                <dd>{g.figures.refused}</dd>
              </div>
              <div>
                <dt>{t('fig.feverRetests')}</dt>
                <dd>{g.figures.feverRetests}</dd>
              </div>
            </dl>
            <p class="hint">
              {Object.entries(g.figures.refusedBy)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `${t(`group.${k}` as MessageKey)} ${n}`)
                .join(' · ')}
            </p>
            <p class="hint">
              {t('live.perMinute', { n: g.perMinute })} ·{' '}
              {g.medianSeconds === null ? t('live.medianNone') : t('live.median', { s: Math.round(g.medianSeconds) })}
            </p>
            <h3>
              {t('live.latest')} ({state.zoneName()})
            </h3>
            <ul class="latest">
              {g.latest.map((e) => (
                <li key={e.id} data-event={e.id} class={e.type === 'exit' ? 'exit' : `verdict-${e.verdict}`}>
                  <time>{time(e.at)}</time>{' '}
                  <strong>{e.type === 'exit' ? t('live.exit') : t(`verdict.${e.verdict}` as MessageKey)}</strong>{' '}
                  {e.name ?? t('live.noName')}
                  {e.reasons.length > 0 && (
                    <span class="hint"> · {[...new Set(e.reasons.map(reason))].join('、')}</span>
                  )}
                  {e.server && (
                    <div class="danger-text" data-server-verdict={e.server.verdict ?? ''}>
                      {t('live.serverVerdict', {
                        verdict: e.server.verdict ? t(`verdict.${e.server.verdict}` as MessageKey) : '—',
                      })}
                      {e.server.reasons.length > 0 && ` · ${[...new Set(e.server.reasons.map(reason))].join('、')}`}
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <h3>{t('live.tablets')}</h3>
            <ul class="tablets">
              {g.tablets.map((d) => (
                <li key={d.id} data-tablet={d.id}>
                  {d.name} ·{' '}
                  <span class={d.online ? 'ok-text' : 'danger-text'}>
                    {d.online ? t('live.online') : t('live.offline')}
                  </span>
                  {d.snapshotAgeMinutes !== null && ` · ${t('live.snapshotAge', { n: d.snapshotAgeMinutes })}`}
                  {d.outboxPending > 0 && ` · ${t('live.pending', { n: d.outboxPending })}`}
                </li>
              ))}
            </ul>
          </article>
        ))}
      </div>
      <section class="card">
        <h2>
          {t('live.alerts')} ({state.zoneName()})
        </h2>
        {wall && wall.alerts.length === 0 && <p class="hint">{t('live.noAlerts')}</p>}
        {openKeys.length > 1 && (
          <div class="inline-form" data-testid="bulk-ack">
            <label class="check">
              <input
                type="checkbox"
                checked={chosen.length === openKeys.length}
                onChange={(e) => setSelected(e.currentTarget.checked ? openKeys : [])}
              />
              {t('live.selectAll', { n: openKeys.length })}
            </label>
            <input
              aria-label={t('live.ackNote')}
              placeholder={t('live.ackNote')}
              value={bulkNote}
              onInput={(e) => setBulkNote(e.currentTarget.value)}
            />
            <button type="button" class="primary" disabled={action.busy || chosen.length === 0} onClick={ackSelected}>
              {t('live.ackSelected', { n: chosen.length })}
            </button>
          </div>
        )}
        <ul class="alerts">
          {wall?.alerts.map((a) => (
            <li key={a.key} data-alert={a.key} data-type={a.type} class={a.acknowledged ? 'acked' : 'open'}>
              {!a.acknowledged && openKeys.length > 1 && (
                <input
                  type="checkbox"
                  aria-label={t('live.select')}
                  checked={chosen.includes(a.key)}
                  onChange={(e) =>
                    setSelected(e.currentTarget.checked ? [...chosen, a.key] : chosen.filter((k) => k !== a.key))
                  }
                />
              )}{' '}
              <strong>{t(`alert.${a.type}` as MessageKey)}</strong> <time>{time(a.at)}</time>
              {a.gateId !== null &&
                ` · ${((g) => (g ? state.nameOf(g) : ''))(wall.gates.find((g) => g.id === a.gateId))}`}{' '}
              <span class="hint">{a.detail}</span>
              {a.acknowledged ? (
                <span class="hint">
                  {' '}
                  — {t('live.acked', { by: a.acknowledged.by, time: time(a.acknowledged.at) })}
                  {a.acknowledged.note ? `：${a.acknowledged.note}` : ''}
                </span>
              ) : (
                <span class="ack">
                  <input
                    aria-label={t('live.ackNote')}
                    placeholder={t('live.ackNote')}
                    value={notes[a.key] ?? ''}
                    onInput={(e) => setNotes({ ...notes, [a.key]: e.currentTarget.value })}
                  />
                  <button type="button" class="primary" disabled={action.busy} onClick={() => ack(a.key)}>
                    {t('live.ack')}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
