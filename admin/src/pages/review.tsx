import { useEffect, useState } from 'preact/hooks';
import { Checks } from '../components/checks';
import { Tabs } from '../components/tabs';
import { ErrorBanner } from '../components/form';
import { api, ok, openLiveStream, type Wall } from '../lib/api';
import { useAction, usePaged } from '../lib/use-resource';
import { useAppState } from '../lib/state';

const TABS = ['normal', 'group', 'needs_review', 'pending_dept', 'backfill'] as const;
const REASONS = [
  'rule_violation',
  'insufficient_reason',
  'incomplete_information',
  'risk_concern',
  'duplicate',
  'other',
] as const;

interface FailingVisitor {
  id: number;
  name: string;
  checks: string[];
}

/**
 * Approve, or reject with a reason code and a note. A visitor whose checks fail can be let in by
 * the office with a reason (谁批准谁负责); the block list cannot, it is lifted on its own page.
 */
export function ReviewActions({
  id,
  failing = [],
  pending = 0,
  departmentLevel = false,
  onDone,
}: {
  id: number;
  /** The department approver's first level: approve or reject, no printed passes or overrides (the office's). */
  departmentLevel?: boolean;
  failing?: FailingVisitor[];
  /** Invited visitors who have not filled in their part: approving lets in those who have. */
  pending?: number;
  onDone: () => void;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [rejecting, setRejecting] = useState(false);
  const [reasonCode, setReasonCode] = useState<(typeof REASONS)[number]>('insufficient_reason');
  const [note, setNote] = useState('');
  const [allowPrint, setAllowPrint] = useState(false);
  const [overrides, setOverrides] = useState<Record<number, string>>({});
  const action = useAction();
  const chosen = Object.entries(overrides).map(([visitorId, reason]) => ({ visitorId: Number(visitorId), reason }));
  const approve = () =>
    void action.run(async () => {
      await ok(
        api.review[':id'].approve.$post({
          param: { id: String(id) },
          json: {
            note: null,
            ...(departmentLevel ? {} : { allowPrint }),
            ...(pending > 0 ? { allowIncomplete: true } : {}),
            ...(chosen.length ? { overrides: chosen } : {}),
          },
        }),
      );
      onDone();
    });
  const reject = () =>
    void action.run(async () => {
      await ok(api.review[':id'].reject.$post({ param: { id: String(id) }, json: { reasonCode, note } }));
      onDone();
    });
  return (
    <div class="review-actions">
      {failing.length > 0 && (
        <fieldset class="overrides">
          <legend>{t('review.override')}</legend>
          {failing.map((v) => {
            const blocked = v.checks.includes('block_list');
            const on = v.id in overrides;
            return (
              <div key={v.id} class="override-row" data-override={v.id}>
                <label class="check">
                  <input
                    type="checkbox"
                    disabled={blocked}
                    checked={on}
                    onChange={(e) => {
                      const next = { ...overrides };
                      if (e.currentTarget.checked) next[v.id] = '';
                      else delete next[v.id];
                      setOverrides(next);
                    }}
                  />
                  {v.name}: <Checks codes={v.checks} />
                </label>
                {blocked && <span class="hint">{t('review.blockNotOverridable')}</span>}
                {on && (
                  <input
                    class="wide"
                    aria-label={t('review.overrideReason', { name: v.name })}
                    placeholder={t('review.overrideReason', { name: v.name })}
                    value={overrides[v.id]}
                    onInput={(e) => setOverrides({ ...overrides, [v.id]: e.currentTarget.value })}
                  />
                )}
              </div>
            );
          })}
        </fieldset>
      )}
      <button
        type="button"
        class="primary"
        onClick={approve}
        disabled={action.busy || chosen.some((o) => o.reason.trim().length < 4)}
      >
        {pending > 0 ? t('review.approveIncomplete', { n: pending }) : t('review.approve')}
      </button>
      {/* Printed passes carry no live code, so a screenshot would do as well: only for visitors without a phone. */}
      {!departmentLevel && (
        <label class="check">
          <input type="checkbox" checked={allowPrint} onChange={(e) => setAllowPrint(e.currentTarget.checked)} />
          {t('review.allowPrint')}
        </label>
      )}
      <button type="button" onClick={() => setRejecting(!rejecting)}>
        {t('review.reject')}
      </button>
      {rejecting && (
        <span class="reject-form">
          <select
            aria-label={t('review.rejectReason')}
            value={reasonCode}
            onChange={(e) => setReasonCode(e.currentTarget.value as typeof reasonCode)}
          >
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`reject.${r}`)}
              </option>
            ))}
          </select>
          <input
            aria-label={t('review.note')}
            placeholder={t('review.note')}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <button type="button" onClick={reject} disabled={!note.trim() || action.busy}>
            {t('review.reject')}
          </button>
        </span>
      )}
      <ErrorBanner error={action.error} />
    </div>
  );
}

const SOUND_KEY = 'gatehouse.admin.sound';

/** Two short tones: a guard is waiting at a gate. WebAudio, no sound file to load. */
function chime() {
  const ctx = new AudioContext();
  [880, 660].forEach((hz, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.25, ctx.currentTime + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.25 + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + i * 0.25);
    osc.stop(ctx.currentTime + i * 0.25 + 0.25);
  });
  setTimeout(() => void ctx.close(), 1000);
}

/** Guards waiting at a gate for an answer, above every queue, with the time they have waited. */
function Emergencies({ items, onDone }: { items: Wall['emergencies']; onDone: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!items.length) return null;
  const wait = (iso: string) => {
    const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  return (
    <section class="emergencies" aria-live="assertive" data-testid="emergencies">
      <h2>{t('review.emergencies')}</h2>
      {items.map((e) => (
        <article key={e.requestId} class="queue-item emergency-item" data-emergency={e.requestId}>
          <strong>
            {t('review.emergencyItem', {
              id: e.requestId,
              gate: state.lang.value === 'en' ? e.gateNameEn || e.gateName : e.gateName,
              name: e.name,
              wait: wait(e.at),
            })}
          </strong>
          <p>{e.reason}</p>
          <ReviewActions id={e.requestId} onDone={onDone} />
        </article>
      ))}
    </section>
  );
}

export function ReviewPage() {
  const state = useAppState();
  const t = state.t.value;
  const [tab, setTab] = useState<(typeof TABS)[number]>('normal');
  const queue = usePaged(
    (cursor) => ok(api.review.queue.$get({ query: { queue: tab, ...(cursor ? { cursor } : {}) } })),
    [tab],
  );
  const [emergencies, setEmergencies] = useState<Wall['emergencies']>([]);
  const [sound, setSound] = useState(() => localStorage.getItem(SOUND_KEY) !== 'off');
  // The queue follows the office's live stream: a request filed, answered or sent back shows at once.
  useEffect(
    () =>
      openLiveStream({
        onWall: (w) => setEmergencies(w.emergencies),
        onQueue: (e) => {
          queue.reload();
          if (e.action === 'emergency_requested' && localStorage.getItem(SOUND_KEY) !== 'off') chime();
        },
      }),
    [tab],
  );
  const toggleSound = () => {
    localStorage.setItem(SOUND_KEY, sound ? 'off' : 'on');
    setSound(!sound);
  };
  const [selected, setSelected] = useState<number[]>([]);
  const [result, setResult] = useState<string | null>(null);
  const action = useAction();
  const bulk = () =>
    void action.run(async () => {
      const res = await ok(api.review['approve-bulk'].$post({ json: { ids: selected, note: null } }));
      setResult(t('review.bulkResult', { approved: res.approved.length, failed: res.failed.length }));
      setSelected([]);
      queue.reload();
    });
  return (
    <section class="card">
      <header class="row">
        <h1>{t('review.title')}</h1>
        <button type="button" class="link" aria-pressed={sound} onClick={toggleSound} data-testid="sound">
          {sound ? t('review.soundOn') : t('review.soundOff')}
        </button>
      </header>
      <Emergencies items={emergencies} onDone={queue.reload} />
      <Tabs tabs={TABS} current={tab} onChange={setTab} label={(x) => t(`review.tab.${x}`)} />
      <ErrorBanner error={queue.error ?? action.error} />
      {result && (
        <p class="ok" role="status">
          {result}
        </p>
      )}
      {tab !== 'backfill' && tab !== 'pending_dept' && (
        <button type="button" class="primary" disabled={selected.length === 0 || action.busy} onClick={bulk}>
          {t('review.bulkApprove')} ({selected.length})
        </button>
      )}
      {queue.loaded && queue.items.length === 0 && <p>{t('common.empty')}</p>}
      {queue.items.map((r) => (
        <article key={r.id} class="queue-item" data-request={r.id}>
          <header class="row">
            <label class="check">
              <input
                type="checkbox"
                checked={selected.includes(r.id)}
                onChange={(e) =>
                  setSelected(e.currentTarget.checked ? [...selected, r.id] : selected.filter((x) => x !== r.id))
                }
              />
              <a href={`/admin/requests/${r.id}`}>#{r.id}</a> {r.purpose}
            </label>
            <span>
              {r.emergency && <strong class="tag">{t('review.emergency')}</strong>}{' '}
              {r.backfillOverdue && <strong class="tag danger">{t('review.overdue')}</strong>}{' '}
              {t('review.age', { minutes: r.ageMinutes })}
            </span>
          </header>
          <p>
            {r.visitDateFrom}
            {r.visitDateTo !== r.visitDateFrom && ` – ${r.visitDateTo}`} {r.timeFrom}–{r.timeTo} · {r.destination} ·{' '}
            {t('req.escortName')} {r.escortName}
          </p>
          {r.declarationsPending > 0 && (
            <p class="warn" data-testid="incomplete">
              {t('review.incomplete', { n: r.declarationsPending, of: r.expectedVisitors })}
            </p>
          )}
          <ul class="visitor-checks">
            {r.visitors?.map((v) => (
              <li key={v.id}>
                {v.name} ****{v.idLast4} {v.outOfCity && `(${t('v.fromOutside')})`}: <Checks codes={v.checks} />
              </li>
            ))}
          </ul>
          {r.reviewReasons.length > 0 && (
            <p>
              {t('req.reviewReasons')}: <Checks codes={r.reviewReasons} />
            </p>
          )}
          {(tab === 'normal' || tab === 'group' || tab === 'needs_review') && (
            <ReviewActions
              id={r.id}
              failing={(r.visitors ?? [])
                .filter((v) => v.checks.length > 0)
                .map((v) => ({ id: v.id, name: v.name, checks: v.checks }))}
              pending={r.declarationsPending}
              onDone={queue.reload}
            />
          )}
        </article>
      ))}
      {queue.hasMore && (
        <button type="button" onClick={queue.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
