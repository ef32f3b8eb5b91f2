import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

type Entry = { id: number; at: string; actorLabel: string; action: string; entity: string; entityId: string | null; reason: string | null };

export function AuditPage() {
  const state = useAppState();
  const t = state.t.value;
  const [action, setAction] = useState('');
  const [entity, setEntity] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filters = () => ({ ...(action ? { action } : {}), ...(entity ? { entity } : {}), ...(from ? { from: new Date(from).toISOString() } : {}), ...(to ? { to: new Date(to).toISOString() } : {}) });
  const [extra, setExtra] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const first = useResource(async () => {
    const page = await ok(api.audit.$get({ query: { limit: '50', ...filters() } }));
    setExtra([]);
    setCursor(page.nextCursor);
    return page.items;
  }, [action, entity, from, to]);
  const more = async () => {
    if (cursor === null) return;
    const page = await ok(api.audit.$get({ query: { limit: '50', cursor: String(cursor), ...filters() } }));
    setExtra([...extra, ...page.items]);
    setCursor(page.nextCursor);
  };
  const rows = [...(first.data ?? []), ...extra];
  return (
    <section class="card">
      <header class="row">
        <h1>{t('audit.title')}</h1>
      </header>
      <div class="inline-form">
        <input aria-label={t('audit.filterAction')} placeholder={t('audit.filterAction')} value={action} onChange={(e) => setAction(e.currentTarget.value)} />
        <input aria-label={t('audit.entity')} placeholder={t('audit.entity')} value={entity} onChange={(e) => setEntity(e.currentTarget.value)} />
        <label class="field"><span>{t('audit.from')}</span><input type="datetime-local" value={from} onChange={(e) => setFrom(e.currentTarget.value)} /></label>
        <label class="field"><span>{t('audit.to')}</span><input type="datetime-local" value={to} onChange={(e) => setTo(e.currentTarget.value)} /></label>
      </div>
      <ErrorBanner error={first.error} />
      <table>
        <thead>
          <tr>
            <th>{t('audit.at')}</th>
            <th>{t('audit.actor')}</th>
            <th>{t('audit.action')}</th>
            <th>{t('audit.entity')}</th>
            <th>{t('audit.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.at).toLocaleString(state.lang.value === 'zh' ? 'zh-CN' : 'en')}</td>
              <td>{r.actorLabel}</td>
              <td>{r.action}</td>
              <td>{r.entity} {r.entityId}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor !== null && <button type="button" onClick={() => void more()}>{t('common.more')}</button>}
    </section>
  );
}
