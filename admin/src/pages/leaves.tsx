import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { Tabs } from '../components/tabs';
import { api, ok } from '../lib/api';
import { usePaged, useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';

const STATUSES = ['pending', 'approved', 'out', 'overdue', 'decided'] as const;
type Status = (typeof STATUSES)[number];

/**
 * The approver's page (辅导员 / department head; the office sees every department): leaves to
 * decide, with who, when, where and why; approve, or reject saying why. The approver is recorded
 * (谁批准谁负责). The office also clears a member held after a trip to a risk area.
 */
export function LeavesPage() {
  const state = useAppState();
  const t = state.t.value;
  const en = state.lang.value === 'en';
  const office = state.me.value?.role === 'office';
  const [status, setStatus] = useState<Status>('pending');
  const list = usePaged(
    (cursor) => ok(api.leaves.$get({ query: { status, ...(cursor ? { cursor } : {}) } })),
    [status],
  );
  const action = useAction();
  const [notes, setNotes] = useState<Record<number, string>>({});
  const at = (iso: string | null) => state.at(iso);
  const decide = (id: number, approve: boolean) =>
    void action
      .run(() =>
        ok(
          api.leaves[':id'].decision.$post({
            param: { id: String(id) },
            json: { approve, note: notes[id]?.trim() ? notes[id]!.trim() : null },
          }),
        ),
      )
      .then(list.reload);
  return (
    <section class="card">
      <h1>{t('leaves.title')}</h1>
      <Tabs tabs={STATUSES} current={status} onChange={setStatus} label={(s) => t(`leaves.tab.${s}`)} />
      <ErrorBanner error={list.error ?? action.error} />
      <ul class="leave-list">
        {list.items.map((l) => (
          <li key={l.id} class="leave-item" data-leave={l.id} data-status={l.status}>
            <header class="leave-head">
              <strong>
                {l.member.name} · {l.member.number}
              </strong>
              <span>
                {(en ? l.member.departmentEn : l.member.department) ?? ''} {l.member.unit}
              </span>
              <span class={`status status-${l.status === 'out' ? 'approved' : l.status}`}>
                {t(`leaves.status.${l.status}`)}
              </span>
              {l.overdue && <span class="status status-rejected">{t('members.isOverdue')}</span>}
              {l.hold && <span class="status status-rejected">{t('members.isHeld')}</span>}
              {l.kind === 'office' && <span class="status status-pending">{t('leaves.officePermit')}</span>}
            </header>
            <dl class="facts">
              <dt>{t('leaves.when')}</dt>
              <dd>
                {at(l.from)} – {at(l.to)}
              </dd>
              <dt>{t('leaves.destination')}</dt>
              <dd>{l.destinationName}</dd>
              <dt>{t('leaves.reason')}</dt>
              <dd>{l.reason}</dd>
              {l.decidedBy && (
                <>
                  <dt>{t('leaves.decidedBy')}</dt>
                  <dd>
                    {l.decidedBy} · {at(l.decidedAt)}
                    {l.decisionNote ? ` · ${l.decisionNote}` : ''}
                  </dd>
                </>
              )}
              {l.exitedAt && (
                <>
                  <dt>{t('leaves.exited')}</dt>
                  <dd>{at(l.exitedAt)}</dd>
                </>
              )}
              {l.returnedAt && (
                <>
                  <dt>{t('leaves.returned')}</dt>
                  <dd>{at(l.returnedAt)}</dd>
                </>
              )}
            </dl>
            {l.status === 'pending' && (
              <div class="decide">
                <input
                  aria-label={t('leaves.note')}
                  placeholder={t('leaves.note')}
                  value={notes[l.id] ?? ''}
                  onInput={(ev) => setNotes({ ...notes, [l.id]: ev.currentTarget.value })}
                />
                <button type="button" class="primary" disabled={action.busy} onClick={() => decide(l.id, true)}>
                  {t('leaves.approve')}
                </button>
                <button type="button" class="danger" disabled={action.busy} onClick={() => decide(l.id, false)}>
                  {t('leaves.reject')}
                </button>
              </div>
            )}
            {office && l.hold && (
              <button
                type="button"
                onClick={() =>
                  void action
                    .run(() => ok(api.leaves[':id'].clear.$post({ param: { id: String(l.id) } })))
                    .then(list.reload)
                }
              >
                {t('leaves.clear')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.loaded && list.items.length === 0 && <p>{t(`leaves.empty.${status}`)}</p>}
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
