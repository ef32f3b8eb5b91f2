import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { usePaged } from '../lib/use-resource';
import { useAppState } from '../lib/state';

export function RequestsPage() {
  const state = useAppState();
  const t = state.t.value;
  const list = usePaged((cursor) => ok(api.requests.$get({ query: cursor ? { cursor } : {} })));
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
      {list.loaded && list.items.length === 0 && <p>{t('common.empty')}</p>}
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
