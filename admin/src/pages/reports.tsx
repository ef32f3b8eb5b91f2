import type { InferResponseType } from 'hono/client';
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { TrendChart } from '../components/trend-chart';
import { api, exportHref, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';
import { isZeroDay, REFUSAL_GROUPS } from '../../../server/domain/report-figures';

const PAGE_SIZE = 20;
const FIGURES = [
  'entrants',
  'admitted',
  'refused',
  'feverRetests',
  'exits',
  'emergencyAdmits',
  'overrideAdmits',
  'paperPathAdmits',
  'selfDeclaredAdmits',
  'overdueBackfills',
  'overstays',
  'expiredNotSignedOut',
  'tabletOfflineMinutes',
  'lateEvents',
  'memberExits',
  'memberReturns',
  'memberExitsRefused',
  'memberEntriesRefused',
  'memberRefusedNoLeave',
  'memberRefusedNoCheckIn',
  'memberRefusedRiskHold',
  'overdueLeaves',
  'missingCheckIns',
] as const;
/** Today so far: the visitors' main figures and the members' flows (seed 002). */
const TODAY = [
  'entrants',
  'admitted',
  'refused',
  'feverRetests',
  'exits',
  'memberExits',
  'memberReturns',
  'memberExitsRefused',
  'memberEntriesRefused',
  'missingCheckIns',
] as const;
type Report = InferResponseType<typeof api.reports.daily.$get, 200>['items'][number];

/** Daily reports per gate and for the campus: filter, page, sign off, reopen, export, print, trends. */
export function ReportsPage() {
  const state = useAppState();
  const t = state.t.value;
  const [filter, setFilter] = useState<{ from: string; to: string; scope: string }>({ from: '', to: '', scope: '' });
  // Pages back and forth: the cursor that opened each page seen so far (server/lib/schemas.ts).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length;
  const [days, setDays] = useState<7 | 30>(7);
  const [reasons, setReasons] = useState<Record<number, string>>({});
  const gates = useResource(() => ok(api.gates.$get()));
  const query = {
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
    ...(filter.scope ? { scope: filter.scope } : {}),
  };
  const cursor = cursors.at(-1);
  const list = useResource(
    () => ok(api.reports.daily.$get({ query: { ...query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } })),
    [filter.from, filter.to, filter.scope, cursor],
  );
  const today = useResource(() => ok(api.reports.today.$get()));
  const trend = useResource(
    () => ok(api.reports.trend.$get({ query: { days: String(days), scope: 'campus' } })),
    [days],
  );
  const action = useAction();
  const rows: Report[] = list.data?.items ?? [];
  const at = (iso: string) => state.at(iso);
  const scopeName = (r: Report) =>
    r.scope === 'campus' ? t('reports.campus') : state.nameOf({ name: r.gateName, nameEn: r.gateNameEn });
  const signOff = (id: number) =>
    void action.run(async () => {
      await ok(api.reports.daily[':id']['sign-off'].$post({ param: { id: String(id) } }));
      list.reload();
    });
  const reopen = (id: number) =>
    void action.run(async () => {
      await ok(
        api.reports.daily[':id'].reopen.$post({ param: { id: String(id) }, json: { reason: reasons[id] ?? '' } }),
      );
      list.reload();
    });
  const exportQuery = { from: list.data?.from, to: list.data?.to, scope: filter.scope || undefined };
  const set = (k: keyof typeof filter) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    setCursors([undefined]);
    setFilter({ ...filter, [k]: e.currentTarget.value });
  };
  const series = trend.data ?? [];
  return (
    <section class="reports">
      <section class="card">
        <header class="row">
          <h1>{t('reports.title')}</h1>
          <span class="no-print">
            <a class="button" href={exportHref('/reports/daily/export', { ...exportQuery, format: 'csv' })} download>
              {t('reports.csv')}
            </a>
            <a
              class="button"
              href={exportHref('/reports/daily/export', { ...exportQuery, format: 'xlsx' })}
              download
              data-testid="export-xlsx"
            >
              {t('reports.xlsx')}
            </a>
            <button type="button" onClick={() => print()}>
              {t('reports.print')}
            </button>
          </span>
        </header>
        <div class="inline-form no-print">
          <label class="field">
            <span>{t('reports.from')}</span>
            <input type="date" value={filter.from || list.data?.from || ''} onChange={set('from')} />
          </label>
          <label class="field">
            <span>{t('reports.to')}</span>
            <input type="date" value={filter.to || list.data?.to || ''} onChange={set('to')} />
          </label>
          <label class="field">
            <span>{t('reports.scope')}</span>
            <select value={filter.scope} onChange={set('scope')}>
              <option value="">{t('reports.all')}</option>
              <option value="campus">{t('reports.campus')}</option>
              {gates.data?.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {state.nameOf(g)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p class="print-only">{list.data && `${list.data.from} — ${list.data.to}`}</p>
        <ErrorBanner error={action.error ?? list.error} />
        <div class="table-scroll">
          <table class="report-table">
            <thead>
              <tr>
                <th>{t('reports.day')}</th>
                <th>{t('reports.scope')}</th>
                {FIGURES.map((f) => (
                  <th key={f}>{t(`fig.${f}` as MessageKey)}</th>
                ))}
                <th>{t('reports.refusedBy')}</th>
                <th>{t('common.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={`${r.day}:${r.scope}`}
                  data-report={`${r.day}:${r.scope}`}
                  class={r.scope === 'campus' ? 'campus' : ''}
                >
                  <td>{r.day}</td>
                  <td>
                    {scopeName(r)}
                    {isZeroDay(r.figures) && <div class="hint">{t('reports.zero')}</div>}
                  </td>
                  {FIGURES.map((f) => (
                    <td key={f} class="num">
                      {r.figures[f]}
                    </td>
                  ))}
                  <td class="hint">
                    {REFUSAL_GROUPS.filter((g) => r.figures.refusedBy[g] > 0)
                      .map((g) => `${t(`group.${g}` as MessageKey)} ${r.figures.refusedBy[g]}`)
                      .join('，')}
                  </td>
                  <td>
                    <span class={`status status-${r.status === 'signed_off' ? 'approved' : 'pending'}`}>
                      {t(`reports.status.${r.status}` as MessageKey)}
                    </span>
                    {r.signedOffBy && r.signedOffAt && (
                      <div class="hint">{t('reports.signedBy', { by: r.signedOffBy, time: at(r.signedOffAt) })}</div>
                    )}
                    {r.lateSinceSignOff > 0 && <div class="issue">{t('reports.late', { n: r.lateSinceSignOff })}</div>}
                    {r.id !== null && r.status === 'open' && (
                      <button
                        type="button"
                        class="primary no-print"
                        disabled={action.busy}
                        onClick={() => signOff(r.id!)}
                      >
                        {t('reports.signOff')}
                      </button>
                    )}
                    {r.id !== null && r.status === 'signed_off' && (
                      <span class="no-print reopen">
                        <input
                          aria-label={t('reports.reopenReason')}
                          placeholder={t('reports.reopenReason')}
                          value={reasons[r.id] ?? ''}
                          onInput={(e) => setReasons({ ...reasons, [r.id!]: e.currentTarget.value })}
                        />
                        <button type="button" disabled={action.busy} onClick={() => reopen(r.id!)}>
                          {t('reports.reopen')}
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data && (
          <p class="row no-print">
            <span>{t('reports.page', { page, total: list.data.total })}</span>
            <span>
              <button type="button" disabled={page <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('reports.prev')}
              </button>
              <button
                type="button"
                disabled={list.data.nextCursor === null}
                onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
              >
                {t('reports.next')}
              </button>
            </span>
          </p>
        )}
      </section>
      <section class="card no-print">
        <header class="row">
          <h2>{t('reports.trend')}</h2>
          <span>
            {([7, 30] as const).map((n) => (
              <button key={n} type="button" class={days === n ? 'primary' : ''} onClick={() => setDays(n)}>
                {t('reports.days', { n })}
              </button>
            ))}
          </span>
        </header>
        {series.length > 0 && (
          <TrendChart
            title={`${t('reports.campus')} · ${t('reports.days', { n: days })}`}
            xLabel={t('reports.day')}
            days={series.map((d) => d.day)}
            series={[
              { label: t('fig.admitted'), colour: '#1b7a3a', values: series.map((d) => d.admitted) },
              { label: t('fig.refused'), colour: '#b3261e', values: series.map((d) => d.refused) },
              { label: t('fig.feverRetests'), colour: '#c77700', values: series.map((d) => d.feverRetests) },
            ]}
          />
        )}
      </section>
      <section class="card no-print">
        <h2>{t('reports.today')}</h2>
        <div class="table-scroll">
          <table data-testid="today">
            <thead>
              <tr>
                <th>{t('reports.scope')}</th>
                {TODAY.map((f) => (
                  <th key={f}>{t(`fig.${f}` as MessageKey)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {today.data?.map((r) => (
                <tr key={r.scope} data-scope={r.scope}>
                  <td>{scopeName(r)}</td>
                  {TODAY.map((f) => (
                    <td key={f} class="num" data-figure={f}>
                      {r.figures[f]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}
