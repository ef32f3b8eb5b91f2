import type { InferResponseType } from 'hono/client';
import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, exportHref, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';
import { instantOfLocalInput } from '../../../server/domain/dates';

type Passage = InferResponseType<typeof api.tracing.passages.$get, 200>['rows'][number];
type CoPresence = InferResponseType<(typeof api.tracing)['co-presence']['$get'], 200>;
type Stay = CoPresence['stays'][number] & { overlapFrom?: string; overlapTo?: string };

/** Tracing for health-authority requests: who passed a gate, who was inside with a visitor. Every query states why. */
export function TracingPage() {
  const state = useAppState();
  const t = state.t.value;
  const gates = useResource(() => ok(api.gates.$get()));
  const [mode, setMode] = useState<'passages' | 'co-presence'>('passages');
  const [form, setForm] = useState({ from: '', to: '', gateId: '', visitorId: '', reason: '' });
  const [result, setResult] = useState<{ passages?: Passage[]; stays?: Stay[]; others?: Stay[] } | null>(null);
  const action = useAction();
  const [who, setWho] = useState('');
  const [hits, setHits] = useState<InferResponseType<typeof api.tracing.visitors.$get, 200> | null>(null);
  const find = () =>
    void action.run(async () =>
      setHits(await ok(api.tracing.visitors.$get({ query: { q: who, reason: form.reason } }))),
    );
  const at = (iso: string) => state.at(iso);
  const query = {
    // The fields are the campus's wall clock, whatever this PC's zone.
    from: instantOfLocalInput(form.from, state.timezone.value),
    to: instantOfLocalInput(form.to, state.timezone.value),
    reason: form.reason,
    ...(mode === 'passages' ? { gateId: form.gateId || undefined } : { visitorId: form.visitorId }),
  };
  const run = () =>
    void action.run(async () => {
      if (mode === 'passages') {
        const r = await ok(
          api.tracing.passages.$get({
            query: {
              from: query.from,
              to: query.to,
              reason: query.reason,
              ...(form.gateId ? { gateId: form.gateId } : {}),
            },
          }),
        );
        setResult({ passages: r.rows });
      } else {
        const r = await ok(
          api.tracing['co-presence'].$get({
            query: { from: query.from, to: query.to, reason: query.reason, visitorId: form.visitorId },
          }),
        );
        setResult(r);
      }
    });
  const set = (k: keyof typeof form) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const ready = form.from && form.to && form.reason.trim().length >= 4 && (mode === 'passages' || form.visitorId);
  return (
    <section class="card">
      <h1>{t('tracing.title')}</h1>
      <div class="tabs">
        {(['passages', 'co-presence'] as const).map((m) => (
          <button
            key={m}
            type="button"
            class={mode === m ? 'primary' : ''}
            onClick={() => {
              setMode(m);
              setResult(null);
            }}
          >
            {t(m === 'passages' ? 'tracing.passages' : 'tracing.coPresence')}
          </button>
        ))}
      </div>
      <div class="inline-form">
        <Field label={t('tracing.from')} name="from" error={action.error}>
          <input type="datetime-local" value={form.from} onInput={set('from')} />
        </Field>
        <Field label={t('tracing.to')} name="to" error={action.error}>
          <input type="datetime-local" value={form.to} onInput={set('to')} />
        </Field>
        {mode === 'passages' ? (
          <Field label={t('tracing.gate')} name="gateId" error={action.error}>
            <select value={form.gateId} onChange={set('gateId')}>
              <option value="">{t('tracing.anyGate')}</option>
              {gates.data?.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {state.nameOf(g)}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <>
            {/* Whom to trace, by what the health authority's letter names: a name, a phone, an ID's last four. */}
            <Field label={t('tracing.find')} name="q" error={action.error}>
              <span class="inline-form">
                <input value={who} onInput={(e) => setWho(e.currentTarget.value)} placeholder={t('tracing.findHint')} />
                <button type="button" disabled={who.trim().length < 2 || form.reason.trim().length < 4} onClick={find}>
                  {t('tracing.findRun')}
                </button>
              </span>
            </Field>
            {hits && (
              <ul class="hits" data-testid="tracing-hits">
                {hits.length === 0 && <li class="empty">{t('tracing.noHits')}</li>}
                {hits.map((h) => (
                  <li key={h.id}>
                    <label class="check">
                      <input
                        type="radio"
                        name="visitor"
                        checked={form.visitorId === String(h.id)}
                        onChange={() => setForm({ ...form, visitorId: String(h.id) })}
                      />
                      <span translate={false}>{h.name}</span> · ****{h.idLast4} · {h.phone} · {h.department} ·{' '}
                      {h.visitDateFrom}
                    </label>
                  </li>
                ))}
              </ul>
            )}
            <Field label={t('tracing.visitorId')} name="visitorId" error={action.error}>
              <input inputMode="numeric" value={form.visitorId} onInput={set('visitorId')} />
            </Field>
          </>
        )}
        <Field label={t('tracing.reason')} name="reason" error={action.error}>
          <input class="wide" value={form.reason} onInput={set('reason')} />
        </Field>
        <button type="button" class="primary" disabled={!ready || action.busy} onClick={run}>
          {t('tracing.run')}
        </button>
      </div>
      <ErrorBanner error={action.error} />
      {result && (
        <p class="row">
          <span>{t('tracing.rows', { n: result.passages?.length ?? result.others?.length ?? 0 })}</span>
          <span>
            <a
              class="button"
              href={exportHref(mode === 'passages' ? '/tracing/passages/export' : '/tracing/co-presence/export', {
                ...query,
                format: 'csv',
              })}
              download
            >
              {t('reports.csv')}
            </a>
            <a
              class="button"
              href={exportHref(mode === 'passages' ? '/tracing/passages/export' : '/tracing/co-presence/export', {
                ...query,
                format: 'xlsx',
              })}
              download
            >
              {t('reports.xlsx')}
            </a>
          </span>
        </p>
      )}
      {result?.passages && (
        <table>
          <thead>
            <tr>
              <th>{t('tracing.time')}</th>
              <th>{t('tracing.gate')}</th>
              <th>{t('tracing.type')}</th>
              <th>{t('presence.visitor')}</th>
              <th>{t('tracing.phone')}</th>
              <th>{t('presence.host')}</th>
            </tr>
          </thead>
          <tbody>
            {result.passages.map((p, i) => (
              <tr key={i}>
                <td>{at(p.at)}</td>
                <td>{p.gateName}</td>
                <td>{p.type === 'exit' ? t('live.exit') : t(`verdict.${p.verdict}` as MessageKey)}</td>
                <td>
                  {p.visitorName ?? t('live.noName')}
                  {p.idLast4 ? ` ****${p.idLast4}` : ''}
                </td>
                <td>{p.phone}</td>
                <td>{p.department}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result?.others && (
        <table>
          <thead>
            <tr>
              <th>{t('presence.visitor')}</th>
              <th>{t('tracing.phone')}</th>
              <th>{t('presence.host')}</th>
              <th>{t('tracing.stay')}</th>
              <th>{t('tracing.overlap')}</th>
            </tr>
          </thead>
          <tbody>
            {result.others.map((s, i) => (
              <tr key={i}>
                <td>{s.visitorName}</td>
                <td>{s.phone}</td>
                <td>{s.department}</td>
                <td>
                  {at(s.from)} – {at(s.to)} ({t(`tracing.end.${s.end}` as MessageKey)})
                </td>
                <td>{s.overlapFrom && s.overlapTo && `${at(s.overlapFrom)} – ${at(s.overlapTo)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
