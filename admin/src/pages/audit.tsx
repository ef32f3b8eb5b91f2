import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { usePaged } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { instantOfLocalInput } from '../../../server/domain/dates';

export function AuditPage() {
  const state = useAppState();
  const t = state.t.value;
  const [action, setAction] = useState('');
  const [entity, setEntity] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filters = () => ({
    ...(action ? { action } : {}),
    ...(entity ? { entity } : {}),
    // The fields are the campus's wall clock, whatever this PC's zone.
    ...(from ? { from: instantOfLocalInput(from, state.timezone.value) } : {}),
    ...(to ? { to: instantOfLocalInput(to, state.timezone.value) } : {}),
  });
  const list = usePaged(
    (cursor) => ok(api.audit.$get({ query: { limit: '50', ...(cursor ? { cursor } : {}), ...filters() } })),
    [action, entity, from, to],
  );
  return (
    <section class="card">
      <header class="row">
        <h1>{t('audit.title')}</h1>
      </header>
      <div class="inline-form">
        <input
          aria-label={t('audit.filterAction')}
          placeholder={t('audit.filterAction')}
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
        />
        <input
          aria-label={t('audit.entity')}
          placeholder={t('audit.entity')}
          value={entity}
          onChange={(e) => setEntity(e.currentTarget.value)}
        />
        <label class="field">
          <span>{t('audit.from')}</span>
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('audit.to')}</span>
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
      </div>
      <ErrorBanner error={list.error} />
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
          {list.items.map((r) => (
            <tr key={r.id}>
              <td>{state.at(r.at)}</td>
              <td>{state.actorText(r.actorLabel, r.actorName)}</td>
              <td data-action={r.action}>{state.actionText('auditAction', r.action)}</td>
              <td>
                {r.entity} {r.entityId}
              </td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
