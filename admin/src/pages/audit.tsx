import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

type Entry = { id: number; at: string; actorLabel: string; action: string; entity: string; entityId: string | null };

export function AuditPage() {
  const state = useAppState();
  const t = state.t.value;
  const [action, setAction] = useState('');
  const [extra, setExtra] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const first = useResource(async () => {
    const page = await ok(api.audit.$get({ query: { limit: '50', ...(action ? { action } : {}) } }));
    setExtra([]);
    setCursor(page.nextCursor);
    return page.items;
  }, [action]);
  const more = async () => {
    if (cursor === null) return;
    const page = await ok(api.audit.$get({ query: { limit: '50', cursor: String(cursor), ...(action ? { action } : {}) } }));
    setExtra([...extra, ...page.items]);
    setCursor(page.nextCursor);
  };
  const rows = [...(first.data ?? []), ...extra];
  return (
    <section class="card">
      <header class="row">
        <h1>{t('audit.title')}</h1>
        <input aria-label={t('audit.filterAction')} placeholder={t('audit.filterAction')} value={action} onChange={(e) => setAction(e.currentTarget.value)} />
      </header>
      <ErrorBanner error={first.error} />
      <table>
        <thead>
          <tr>
            <th>{t('audit.at')}</th>
            <th>{t('audit.actor')}</th>
            <th>{t('audit.action')}</th>
            <th>{t('audit.entity')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.at).toLocaleString(state.lang.value === 'zh' ? 'zh-CN' : 'en')}</td>
              <td>{r.actorLabel}</td>
              <td>{r.action}</td>
              <td>{r.entity} {r.entityId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor !== null && <button type="button" onClick={() => void more()}>{t('common.more')}</button>}
    </section>
  );
}
