import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { Checks } from '../components/checks';
import { ErrorBanner, Field } from '../components/form';
import { api, exportHref, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { ReviewActions } from './review';

export function RequestDetailPage() {
  const state = useAppState();
  const t = state.t.value;
  const { params } = useRoute();
  const id = params.id ?? '';
  const req = useResource(() => ok(api.requests[':id'].$get({ param: { id } })), [id]);
  const action = useAction();
  const [copied, setCopied] = useState<string | null>(null);
  const [eraseReason, setEraseReason] = useState<Record<number, string>>({});
  /** Cancelling asks first; an approved visit also asks why (its visitors' passes stop working). */
  const [cancelling, setCancelling] = useState(false);
  const [cancelNote, setCancelNote] = useState('');
  const office = state.me.value?.role === 'office';
  const r = req.data;
  if (!r) return <ErrorBanner error={req.error} />;
  const cancel = () =>
    void action.run(async () => {
      await ok(api.requests[':id'].cancel.$post({ param: { id }, json: { note: cancelNote.trim() } }));
      setCancelling(false);
      setCancelNote('');
      req.reload();
    });
  const link = (path: string) => `${location.origin}${path}`;
  /** On the visitor's request (PIPL): the office deletes their personal data, saying why. */
  const erase = (visitorId: number) =>
    void action.run(async () => {
      await ok(
        api.visitors[':id'].erase.$post({
          param: { id: String(visitorId) },
          json: { reason: eraseReason[visitorId] ?? '' },
        }),
      );
      req.reload();
    });
  return (
    <section class="card" data-request={r.id} data-status={r.status}>
      <header class="row">
        <h1>
          #{r.id} {r.purpose}
        </h1>
        <span class={`status status-${r.status}`}>{t(`status.${r.status}`)}</span>
      </header>
      <dl class="facts">
        <dt>{t('req.dates')}</dt>
        <dd>
          {r.visitDateFrom}
          {r.visitDateTo !== r.visitDateFrom && ` – ${r.visitDateTo}`} {r.timeFrom}–{r.timeTo}
        </dd>
        <dt>{t('req.destination')}</dt>
        <dd>{r.destination}</dd>
        <dt>{t('req.escortName')}</dt>
        <dd>
          {r.escortName} {r.escortPhone}
        </dd>
        {r.reviewReasons.length > 0 && (
          <>
            <dt>{t('req.reviewReasons')}</dt>
            <dd>
              <Checks codes={r.reviewReasons} />
            </dd>
          </>
        )}
      </dl>
      {(r.invitations?.length ?? 0) > 0 && (
        <>
          <h2>
            {t('inv.title')}
            {r.declarationsPending > 0 && (
              <span class="badge warn" data-testid="declarations-pending">
                {' '}
                {t('inv.pending', { n: r.declarationsPending })}
              </span>
            )}
          </h2>
          <table class="invitations">
            <thead>
              <tr>
                <th>{t('v.name')}</th>
                <th>{t('inv.contact')}</th>
                <th>{t('inv.progress')}</th>
                <th>{t('inv.link')}</th>
              </tr>
            </thead>
            <tbody>
              {r.invitations?.map((i) => {
                const open = i.state === 'invited' || i.state === 'opened';
                return (
                  <tr key={i.id} data-invitation={i.id} data-state={i.state}>
                    <td>
                      {i.name}
                      {i.headCount > 1 && ` · ${t('inv.group', { n: i.headCount })}`}
                    </td>
                    <td>{[i.phone, i.email].filter(Boolean).join(' · ')}</td>
                    <td>
                      <span class={`inv-state inv-${i.state}`}>{t(`inv.state.${i.state}`)}</span>
                      {i.headCount > 1 && ` ${i.completed}/${i.headCount}`}
                      {i.sentAt && (
                        <small>
                          {' · '}
                          {t('inv.sent', { n: i.sends })}
                        </small>
                      )}
                    </td>
                    <td>
                      {i.state !== 'withdrawn' && (
                        <>
                          <button
                            type="button"
                            onClick={() =>
                              void navigator.clipboard?.writeText(link(i.link)).then(() => setCopied(`inv${i.id}`))
                            }
                          >
                            {copied === `inv${i.id}` ? t('inv.copied') : t('inv.copy')}
                          </button>{' '}
                        </>
                      )}
                      {state.me.value?.role === 'filer' && open && (
                        <button
                          type="button"
                          disabled={action.busy}
                          onClick={() =>
                            void action.run(async () => {
                              await ok(api.invitations[':id'].remind.$post({ param: { id: String(i.id) } }));
                              req.reload();
                            })
                          }
                        >
                          {t('inv.remind')}
                        </button>
                      )}{' '}
                      {state.me.value?.role === 'filer' && open && (
                        <button
                          type="button"
                          class="link"
                          disabled={action.busy}
                          onClick={() =>
                            void action.run(async () => {
                              await ok(api.invitations[':id'].reissue.$post({ param: { id: String(i.id) } }));
                              req.reload();
                            })
                          }
                        >
                          {t('inv.reissue')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>{t('req.visitors')}</h2>
        </>
      )}
      {(r.visitors?.length ?? 0) > 0 && (
        <p class="templates">
          {t('req.exportVisitors')}{' '}
          <a href={exportHref(`/requests/${r.id}/visitors/export`, { format: 'xlsx' })} download>
            Excel
          </a>{' '}
          <a href={exportHref(`/requests/${r.id}/visitors/export`, { format: 'csv' })} download>
            CSV
          </a>
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>{t('tracing.visitorId')}</th>
            <th>{t('v.name')}</th>
            <th>{t('v.idNumber')}</th>
            <th>{t('v.phone')}</th>
            <th>{t('req.checks')}</th>
            <th>{t('req.passLink')}</th>
            {office && <th>{t('erase.title')}</th>}
          </tr>
        </thead>
        <tbody>
          {r.visitors?.map((v) => (
            <tr key={v.id} data-visitor={v.id}>
              <td>{v.id}</td>
              <td>
                {v.name}
                <small class="declared-by" data-declared-by={v.declaredBy}>
                  {' '}
                  {v.declaredBy === 'visitor'
                    ? v.commitment
                      ? t('v.signedOnline')
                      : t('v.selfDeclared')
                    : t('v.paperPath')}
                </small>
                {v.erasureRequestedAt && (
                  <small class="danger-text" data-testid="erasure-requested">
                    {' '}
                    {t('erase.requested')}
                  </small>
                )}
              </td>
              <td>
                {t(`id.${v.idType as 'other'}`)} ****{v.idLast4}
              </td>
              <td>{v.phone}</td>
              <td>
                <Checks codes={v.checks} />
              </td>
              <td>
                {v.pass &&
                  (v.pass.revoked ? (
                    t('req.passRevoked')
                  ) : (
                    <>
                      <a href={v.pass.link} target="_blank" rel="noreferrer" data-pass-link>
                        {t('req.passLink')}
                      </a>{' '}
                      <button
                        type="button"
                        onClick={() =>
                          void navigator.clipboard?.writeText(link(v.pass!.link)).then(() => setCopied(v.pass!.id))
                        }
                      >
                        {copied === v.pass.id ? '✓' : '⧉'}
                      </button>
                    </>
                  ))}
              </td>
              {office && (
                <td>
                  {v.name !== '（已删除）' && (
                    <span class="reopen">
                      <input
                        aria-label={t('erase.reason')}
                        placeholder={t('erase.reason')}
                        value={eraseReason[v.id] ?? ''}
                        onInput={(e) => setEraseReason({ ...eraseReason, [v.id]: e.currentTarget.value })}
                      />
                      <button
                        type="button"
                        disabled={action.busy || (eraseReason[v.id] ?? '').trim().length < 4}
                        onClick={() => erase(v.id)}
                      >
                        {t('erase.button')}
                      </button>
                    </span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBanner error={action.error} />
      {state.me.value?.role === 'office' && ['pending', 'needs_review'].includes(r.status) && (
        <ReviewActions id={r.id} pending={r.declarationsPending} onDone={req.reload} />
      )}
      {/* Two-level approval: the department's approver signs first, then the office reviews. */}
      {state.me.value?.deptApprover && r.status === 'pending_dept' && (
        <div class="dept-approval" data-testid="dept-approval">
          <h2>{t('dept.approveTitle')}</h2>
          <p class="hint">{t('dept.approveHint')}</p>
          <ReviewActions id={r.id} departmentLevel onDone={req.reload} />
        </div>
      )}
      {state.me.value?.role === 'filer' &&
        (r.emergency && !r.backfilledAt ? (
          <a class="button primary" href={`/admin/requests/${r.id}/edit`}>
            {t('req.backfill')}
          </a>
        ) : ['pending_dept', 'pending', 'needs_review'].includes(r.status) ? (
          <a class="button" href={`/admin/requests/${r.id}/edit`}>
            {t('req.edit')}
          </a>
        ) : null)}
      {!['cancelled', 'rejected'].includes(r.status) && !cancelling && (
        <button type="button" onClick={() => setCancelling(true)} disabled={action.busy}>
          {t('req.cancel')}
        </button>
      )}
      {cancelling && (
        <div class="confirm" role="alertdialog" aria-label={t('req.cancel')}>
          <span class={r.status === 'approved' ? 'danger-text' : ''}>
            {r.status === 'approved' ? t('req.cancelApproved') : t('req.cancelConfirm')}
          </span>
          <Field label={t('req.cancelReason')} name="note" error={action.error}>
            <input
              name="note"
              value={cancelNote}
              maxLength={500}
              required={r.status === 'approved'}
              onInput={(e) => setCancelNote(e.currentTarget.value)}
            />
          </Field>
          <button
            type="button"
            class="danger"
            onClick={cancel}
            disabled={action.busy || (r.status === 'approved' && cancelNote.trim().length < 2)}
          >
            {t('req.cancelYes')}
          </button>
          <button type="button" onClick={() => setCancelling(false)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <h2>{t('req.history')}</h2>
      <ol class="history">
        {r.history?.map((h) => (
          <li key={h.at + h.action}>
            {state.at(h.at)} · {state.actorText(h.actor, h.actorName)} · {state.actionText('history', h.action)}
            {h.toStatus ? ` → ${t(`status.${h.toStatus as 'pending'}`)}` : ''}
            {h.note ? ` · ${h.note}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
