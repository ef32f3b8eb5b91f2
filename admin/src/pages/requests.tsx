import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ErrorBanner } from '../components/form';
import { api, exportHref, ok } from '../lib/api';
import { usePaged } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { RequestStatus } from '../../../server/db/schema';

/** The statuses a filter offers, in the order a request moves through them. */
const REQUEST_STATUSES = [
  'pending_dept',
  'pending',
  'needs_review',
  'approved',
  'rejected',
  'cancelled',
] as const satisfies readonly RequestStatus[];

export function RequestsPage() {
  const state = useAppState();
  const t = state.t.value;
  const { query } = useLocation();
  const initial = REQUEST_STATUSES.find((s) => s === query.status) ?? '';
  const [status, setStatus] = useState<RequestStatus | ''>(initial);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // The screen's filters, and the same ones for the export (every match, not one page).
  const filters = { ...(status ? { status } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const list = usePaged(
    (cursor) => ok(api.requests.$get({ query: { ...filters, ...(cursor ? { cursor } : {}) } })),
    [status, from, to],
  );
  return (
    <section class="card">
      <header class="row">
        <h1>{t('req.title')}</h1>
        {state.me.value?.role === 'filer' && (
          <a class="button primary" href="/admin/requests/new">
            {t('nav.newRequest')}
          </a>
        )}
      </header>
      <div class="inline-form">
        <label class="field">
          <span>{t('req.filterStatus')}</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as RequestStatus | '')}>
            <option value="">{t('req.allStatuses')}</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('audit.from')}</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('audit.to')}</span>
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <span class="templates">
          {t('req.export')}{' '}
          <a href={exportHref('/requests/export', { ...filters, format: 'xlsx' })} download>
            Excel
          </a>{' '}
          <a href={exportHref('/requests/export', { ...filters, format: 'csv' })} download>
            CSV
          </a>
        </span>
      </div>
      <ErrorBanner error={list.error} />
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>{t('req.dates')}</th>
            <th>{t('req.purpose')}</th>
            <th>{t('req.visitorCount')}</th>
            <th>{t('req.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.items.map((r) => (
            <tr key={r.id} data-request={r.id} data-status={r.status}>
              <td>{r.id}</td>
              <td>
                {r.visitDateFrom === r.visitDateTo ? r.visitDateFrom : `${r.visitDateFrom} – ${r.visitDateTo}`}{' '}
                {r.timeFrom}–{r.timeTo}
              </td>
              <td>{r.purpose}</td>
              <td>{r.visitorCount}</td>
              <td>
                <span class={`status status-${r.status}`}>{t(`status.${r.status}`)}</span>
              </td>
              <td>
                <a href={`/admin/requests/${r.id}`}>{t('req.detail')}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.loaded && list.items.length === 0 && <p class="empty">{t('common.empty')}</p>}
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
