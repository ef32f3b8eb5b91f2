import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/form';
import { Tabs } from '../components/tabs';
import { api, ok } from '../lib/api';
import { usePaged, useResource, useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { messages, type MessageKey } from '../lib/messages';
import { instantOfLocalInput } from '../../../server/domain/dates';

/** A key the catalogue has (issue codes and field names come from the server), else null. */
const known = (key: string): MessageKey | null => (key in messages.zh ? (key as MessageKey) : null);

const FILTERS = ['all', 'out', 'overdue', 'no_check_in', 'held', 'inactive'] as const;
type Filter = (typeof FILTERS)[number];

type ImportResult = Awaited<ReturnType<typeof importFile>>;
async function importFile(file: File, save: boolean) {
  return ok(api.members.import.$post({ query: { save: save ? 'true' : 'false' }, form: { file } }));
}

/**
 * The campus's own people (seed 002): per department who is out, overdue, not checked in today;
 * the list by those filters; the office imports the roster, gives a member their link again or a
 * new one, lets a member out without leave (recorded with why), deactivates who left for good.
 */
export function MembersPage() {
  const state = useAppState();
  const t = state.t.value;
  const en = state.lang.value === 'en';
  const office = state.me.value?.role === 'office';
  const [filter, setFilter] = useState<Filter>('all');
  const [q, setQ] = useState('');
  const summary = useResource(() => ok(api.members.summary.$get()));
  const list = usePaged(
    (cursor) =>
      ok(api.members.$get({ query: { filter, ...(q.trim() ? { q: q.trim() } : {}), ...(cursor ? { cursor } : {}) } })),
    [filter, q],
  );
  const action = useAction();
  const [link, setLink] = useState<{ number: string; link: string } | null>(null);
  const [permitFor, setPermitFor] = useState<number | null>(null);
  const reload = () => {
    list.reload();
    summary.reload();
  };
  return (
    <>
      <section class="card">
        <header class="row">
          <h1>{t('members.title')}</h1>
          <button type="button" onClick={reload} aria-label={t('common.refresh')}>
            ↻
          </button>
        </header>
        <ErrorBanner error={summary.error} />
        <div class="table-scroll">
          <table data-testid="member-summary">
            <thead>
              <tr>
                <th>{t('members.department')}</th>
                <th>{t('members.count')}</th>
                <th>{t('members.out')}</th>
                <th>{t('members.overdue')}</th>
                <th>{t('members.notCheckedIn')}</th>
                <th>{t('members.held')}</th>
              </tr>
            </thead>
            <tbody>
              {(summary.data?.departments ?? []).map((d) => (
                <tr key={d.departmentId ?? 0} data-department={d.departmentId ?? ''}>
                  <td>{(en ? d.departmentEn : d.department) ?? d.department ?? t('members.noDepartment')}</td>
                  <td>{d.members}</td>
                  <td data-testid="out">{d.out}</td>
                  <td class={d.overdue ? 'warn' : ''}>{d.overdue}</td>
                  <td data-testid="not-checked-in">{d.notCheckedIn}</td>
                  <td>{d.held}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {summary.data && summary.data.departments.length === 0 && <p>{t('members.none')}</p>}
        {summary.data && summary.data.exitsWithoutLeave.length > 0 && (
          <>
            <h2>{t('members.withoutLeave')}</h2>
            <ul data-testid="without-leave">
              {summary.data.exitsWithoutLeave.map((p) => (
                <li key={p.leaveId}>
                  {p.member} · {p.number} · {t('members.permitBy', { name: p.decidedBy ?? '—' })} · {p.why}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {office && <MemberImport onSaved={reload} />}
      <section class="card">
        <Tabs tabs={FILTERS} current={filter} onChange={setFilter} label={(f) => t(`members.filter.${f}`)} />
        <input
          class="search"
          type="search"
          aria-label={t('members.search')}
          placeholder={t('members.search')}
          value={q}
          onInput={(ev) => setQ(ev.currentTarget.value)}
        />
        <ErrorBanner error={list.error ?? action.error} />
        {link && (
          <p class="notice" role="status" data-testid="member-link">
            {t('members.linkFor', { number: link.number })} <code>{link.link}</code>
          </p>
        )}
        <div class="table-scroll">
          <table data-testid="member-list">
            <thead>
              <tr>
                <th>{t('members.number')}</th>
                <th>{t('members.name')}</th>
                <th>{t('members.type')}</th>
                <th>{t('members.department')}</th>
                <th>{t('members.state')}</th>
                {office && <th />}
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id} data-member={m.number}>
                  <td>{m.number}</td>
                  <td>{m.name}</td>
                  <td>
                    {t(`memberType.${m.type}`)}
                    {m.workerKind ? ` · ${t(`workerKind.${m.workerKind}`)}` : ''}
                  </td>
                  <td>
                    {(en ? m.departmentEn : m.department) ?? m.department ?? ''} {m.unit}
                  </td>
                  <td>
                    {!m.active && <span class="status status-cancelled">{t('members.inactive')}</span>}
                    {m.out && <span class="status status-approved">{t('members.isOut')}</span>}
                    {m.overdue && <span class="status status-rejected">{t('members.isOverdue')}</span>}
                    {m.hold && <span class="status status-rejected">{t('members.isHeld')}</span>}
                    {m.active && !m.checkedInToday && (
                      <span class="status status-pending">{t('members.noCheckIn')}</span>
                    )}
                  </td>
                  {office && (
                    <td class="actions">
                      <button
                        type="button"
                        onClick={() =>
                          void action.run(async () => {
                            const r = await ok(api.members[':id'].link.$post({ param: { id: String(m.id) } }));
                            setLink({ number: m.number, link: r.link });
                          })
                        }
                      >
                        {t('members.showLink')}
                      </button>
                      <button
                        type="button"
                        onClick={() =>
                          confirm(t('members.reissueConfirm', { name: m.name })) &&
                          void action.run(async () => {
                            const r = await ok(api.members[':id'].reissue.$post({ param: { id: String(m.id) } }));
                            setLink({ number: m.number, link: r.link });
                          })
                        }
                      >
                        {t('members.reissue')}
                      </button>
                      {m.active && !m.out && (
                        <button type="button" onClick={() => setPermitFor(permitFor === m.id ? null : m.id)}>
                          {t('members.permit')}
                        </button>
                      )}
                      {m.active && (
                        <button
                          type="button"
                          class="danger"
                          onClick={() =>
                            confirm(t('members.deactivateConfirm', { name: m.name })) &&
                            void action
                              .run(() => ok(api.members[':id'].deactivate.$post({ param: { id: String(m.id) } })))
                              .then(reload)
                          }
                        >
                          {t('members.deactivate')}
                        </button>
                      )}
                      {permitFor === m.id && (
                        <ExitPermit
                          memberId={m.id}
                          onDone={() => {
                            setPermitFor(null);
                            reload();
                          }}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.loaded && list.items.length === 0 && <p>{t('common.empty')}</p>}
        {list.hasMore && (
          <button type="button" onClick={list.more}>
            {t('common.more')}
          </button>
        )}
      </section>
    </>
  );
}

/** The office lets a member out although the gate refused them: until when, where to, and why (recorded). */
function ExitPermit({ memberId, onDone }: { memberId: number; onDone: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const action = useAction();
  const [to, setTo] = useState('');
  const [destination, setDestination] = useState('');
  const [why, setWhy] = useState('');
  const tz = state.timezone.value;
  return (
    <form
      class="inline-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        void action
          .run(() =>
            ok(
              api.members[':id']['exit-permit'].$post({
                param: { id: String(memberId) },
                json: { to: instantOfLocalInput(to, tz), destination, why },
              }),
            ),
          )
          .then((done) => done && onDone());
      }}
    >
      <label>
        {t('members.permitUntil', { tz })}
        <input type="datetime-local" required value={to} onInput={(ev) => setTo(ev.currentTarget.value)} />
      </label>
      <label>
        {t('members.permitDestination')}
        <input
          required
          pattern="\d{6}"
          inputMode="numeric"
          value={destination}
          onInput={(ev) => setDestination(ev.currentTarget.value)}
        />
      </label>
      <label>
        {t('members.permitWhy')}
        <input required minLength={2} value={why} onInput={(ev) => setWhy(ev.currentTarget.value)} />
      </label>
      <ErrorBanner error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('members.permitGrant')}
      </button>
    </form>
  );
}

/** The roster from the files offices have: check first (every row), then save; a re-import reports what changed. */
function MemberImport({ onSaved }: { onSaved: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const action = useAction();
  const bad = result?.rows.filter((r) => r.issues.length) ?? [];
  const changed = result?.changes.filter((c) => c.change !== 'unchanged') ?? [];
  return (
    <section class="card">
      <h2>{t('members.import')}</h2>
      <p class="hint">
        {t('members.importHint')} <a href="/api/v1/members/template?format=xlsx">{t('members.templateXlsx')}</a> ·{' '}
        <a href="/api/v1/members/template?format=csv">{t('members.templateCsv')}</a>
      </p>
      <input
        type="file"
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-label={t('members.importFile')}
        onChange={(ev) => {
          const f = ev.currentTarget.files?.[0] ?? null;
          setFile(f);
          setResult(null);
          if (f) void action.run(async () => setResult(await importFile(f, false)));
        }}
      />
      <ErrorBanner error={action.error} />
      {result && (
        <div data-testid="import-result">
          <p>
            {result.saved
              ? t('members.importSaved', {
                  created: result.changes.filter((c) => c.change === 'created').length,
                  updated: changed.length - result.changes.filter((c) => c.change === 'created').length,
                })
              : t('members.importChecked', { valid: result.valid, invalid: result.invalid })}
          </p>
          {bad.length > 0 && (
            <ul class="issues" data-testid="import-issues">
              {bad.map((r) => (
                <li key={r.row}>
                  {t('members.importRow', { row: r.row })}:{' '}
                  {r.issues
                    .map((i) => {
                      const field = known(`members.field.${i.path[0] ?? ''}`);
                      const code = known(`memberIssue.${i.code}`);
                      return `${field ? t(field) : i.path.join('.')}: ${code ? t(code) : i.message}`;
                    })
                    .join('；')}
                </li>
              ))}
            </ul>
          )}
          {changed.length > 0 && (
            <ul data-testid="import-changes">
              {changed.slice(0, 50).map((c) => (
                <li key={c.number}>
                  {c.number} {c.name} · {t(`members.change.${c.change}`)}
                  {c.fields.length
                    ? ` (${c.fields
                        .map((f) => {
                          const k = known(`members.field.${f}`);
                          return k ? t(k) : f;
                        })
                        .join('、')})`
                    : ''}
                </li>
              ))}
            </ul>
          )}
          {!result.saved && file && bad.length === 0 && (
            <button
              type="button"
              class="primary"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  setResult(await importFile(file, true));
                  onSaved();
                })
              }
            >
              {t('members.importSave', { n: result.valid })}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
