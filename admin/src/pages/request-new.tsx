import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { ErrorBanner, Field, FieldIssues, useIssues } from '../components/form';
import { RegionPicker } from '../components/region-picker';
import { api, ApiFailure, ok } from '../lib/api';
import { useAction, useResource } from '../lib/use-resource';
import { messages, type MessageKey } from '../lib/messages';
import { useAppState } from '../lib/state';
import { instantOfLocalInput, localInputOf } from '../../../server/domain/dates';
import { ID_TYPES, type IdType } from '../../../server/domain/id-number';
import { earliestVisitDate } from '../../../server/domain/filing-checks';
import {
  entrantOfFiling,
  policyFor,
  REQUEST_KINDS,
  testRequiredBy,
  type RequestKind,
} from '../../../server/domain/policy';
import { regionWithin } from '../../../server/domain/rules';

/**
 * One visitor on the form: invited to fill in their own part on their phone (a group with one link
 * and a head count), or entered by the department (the paper path, for visitors without a smartphone).
 */
interface VisitorDraft {
  mode: 'invite' | 'filer';
  /** Editing: the invitation this card is (its link stays). */
  invitationId?: number;
  /** Editing: how many filled in through it. */
  completed?: number;
  headCount: number;
  locale: 'zh' | 'en';
  name: string;
  idType: IdType;
  idNumber: string;
  /**
   * Editing: the visitor on file (their link and pass stay) and the last four of their ID number; the
   * full number is never kept, and is typed only to change it.
   */
  visitorId?: number;
  idLast4?: string;
  phone: string;
  email: string;
  fromRegion: string[];
  visitedRegions: string[];
  closeContact: boolean;
  testTakenAt: string; // datetime-local, campus time
  testResult: '' | 'negative' | 'positive';
}
const blankVisitor = (mode: VisitorDraft['mode'] = 'invite'): VisitorDraft => ({
  mode,
  headCount: 1,
  locale: 'zh',
  name: '',
  idType: 'resident_id',
  idNumber: '',
  phone: '',
  email: '',
  fromRegion: [],
  visitedRegions: [],
  closeContact: false,
  testTakenAt: '',
  testResult: '',
});

/** Where the form shows an issue that belongs to no single input (e.g. a rule on the whole visitor). */
function VisitorIssues({ error, prefix }: { error: unknown; prefix: string }) {
  const fields = ['closeContact', 'testTakenAt', 'testResult', 'id'];
  const all = fields.flatMap((f) => useIssues(error, `${prefix}.${f}`));
  return all.length ? (
    <ul class="issue-list">
      {all.map((m) => (
        <li key={m} class="issue" role="alert">
          {m}
        </li>
      ))}
    </ul>
  ) : null;
}

export function RequestNewPage() {
  const state = useAppState();
  const t = state.t.value;
  // An imported row's problem is named by the form's own label for the column, not the field's code.
  const columnOf = (path: (string | number)[]) => {
    const key = `v.${path[0]}`;
    return key in messages.zh ? t(key as MessageKey, { days: policy?.lookbackDays ?? 14 }) : path.join('.');
  };
  const { route } = useLocation();
  const editId = useRoute().params.id;
  const existing = useResource(
    async () => (editId ? ok(api.requests[':id'].$get({ param: { id: editId } })) : null),
    [editId],
  );
  const rules = useResource(() => ok(api.rules.$get()));
  const gates = useResource(() => ok(api.gates.$get()));
  const earliest = rules.data ? earliestVisitDate(new Date(), rules.data.rules) : '';
  const [f, setF] = useState({
    visitDateFrom: '',
    visitDateTo: '',
    timeFrom: '09:00',
    timeTo: '17:00',
    gateIds: [] as number[],
    purpose: '',
    destination: '',
    escortName: '',
    escortPhone: '',
    escortEmail: '',
    vehiclePlate: '',
    preventionPlan: '',
    kind: 'visitor' as RequestKind,
  });
  const [vs, setVs] = useState<VisitorDraft[]>([blankVisitor()]);
  const backfill = !!existing.data?.emergency && !existing.data.backfilledAt;
  const [imported, setImported] = useState<Awaited<ReturnType<typeof importFile>> | null>(null);
  const action = useAction();
  const campusCode = rules.data?.rules.campusRegionCode ?? '';
  // The form asks only what the policy in force asks of these visitors (PIPL art. 6: the minimum necessary).
  const people = vs.reduce((n, v) => n + (v.mode === 'invite' ? v.headCount : 1), 0);
  const policy = rules.data
    ? policyFor(
        rules.data.rules,
        entrantOfFiling(rules.data.rules, { emergency: backfill, kind: f.kind, visitors: people }),
      )
    : null;
  // Where the server's issues for card i are: `visitors.N` counts the entered ones, `invitations.N` the invited.
  const prefixOf = (i: number) => {
    const mode = vs[i]!.mode;
    const n = vs.slice(0, i).filter((v) => v.mode === mode).length;
    return mode === 'invite' ? `invitations.${n}` : `visitors.${n}`;
  };
  const setV = (i: number, patch: Partial<VisitorDraft>) => setVs(vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  useEffect(() => {
    const r = existing.data;
    if (!r) return;
    setF({
      visitDateFrom: r.visitDateFrom,
      visitDateTo: r.visitDateTo === r.visitDateFrom ? '' : r.visitDateTo,
      timeFrom: r.timeFrom,
      timeTo: r.timeTo,
      gateIds: r.gateIds,
      purpose: r.purpose,
      destination: r.destination === '—' ? '' : r.destination,
      escortName: r.escortName === '—' ? '' : r.escortName,
      escortPhone: r.escortPhone === '—' ? '' : r.escortPhone,
      escortEmail: r.escortEmail ?? '',
      vehiclePlate: r.vehiclePlate ?? '',
      preventionPlan: r.preventionPlan ?? '',
      kind: r.kind,
    });
    setVs([
      ...(r.invitations ?? [])
        .filter((i) => i.state !== 'withdrawn')
        .map((i) => ({
          ...blankVisitor('invite'),
          invitationId: i.id,
          completed: i.completed,
          headCount: i.headCount,
          locale: i.locale,
          name: i.name,
          phone: i.phone ?? '',
          email: i.email ?? '',
        })),
      ...(r.visitors ?? [])
        .filter((v) => v.declaredBy === 'filer')
        .map((v) => ({
          ...blankVisitor('filer'),
          visitorId: v.id,
          name: v.name,
          idType: v.idType as IdType,
          idLast4: v.idLast4,
          phone: v.phone,
          email: v.email ?? '',
          fromRegion: [v.fromRegion],
          visitedRegions: v.visitedRegions,
          closeContact: v.closeContact,
          // The stored instant shown on the campus's wall clock (slicing the UTC text showed it 8 hours early).
          testTakenAt: v.testTakenAt ? localInputOf(v.testTakenAt, state.timezone.value) : '',
          testResult: (v.testResult ?? '') as VisitorDraft['testResult'],
        })),
    ]);
  }, [existing.data]);

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const json = {
        ...f,
        visitDateTo: f.visitDateTo || undefined,
        escortEmail: f.escortEmail || null,
        vehiclePlate: f.vehiclePlate || null,
        preventionPlan: f.preventionPlan || null,
        visitors: vs
          .filter((v) => v.mode === 'filer')
          .map((v) => ({
            ...(v.visitorId ? { id: v.visitorId } : {}),
            name: v.name,
            idType: v.idType,
            // A kept visitor's number is sent only when typed anew; a new visitor's always (empty: "fill in").
            ...(v.idNumber || !v.visitorId ? { idNumber: v.idNumber } : {}),
            phone: v.phone,
            email: v.email || null,
            fromRegion: v.fromRegion[0] ?? '',
            visitedRegions: v.visitedRegions,
            closeContact: v.closeContact,
            testTakenAt: v.testTakenAt ? instantOfLocalInput(v.testTakenAt, state.timezone.value) : null,
            testResult: v.testResult || null,
          })),
        invitations: vs
          .filter((v) => v.mode === 'invite')
          .map((v) => ({
            ...(v.invitationId ? { id: v.invitationId } : {}),
            name: v.name,
            phone: v.phone || null,
            email: v.email || null,
            locale: v.locale,
            headCount: v.headCount,
          })),
      };
      const saved = editId
        ? await ok(api.requests[':id'].$put({ param: { id: editId }, json }))
        : await ok(api.requests.$post({ header: {}, json }));
      route(`/admin/requests/${saved.id}`);
    });
  };

  const onImport = (file: File | undefined) => {
    if (!file) return;
    void action.run(async () => setImported(await importFile(file)));
  };
  const addImported = () => {
    const rows = imported?.rows.flatMap((r) => (r.visitor ? [r.visitor] : [])) ?? [];
    const drafts = rows.map((r) => ({
      ...blankVisitor('filer'),
      ...r,
      email: r.email ?? '',
      fromRegion: [r.fromRegion],
      testTakenAt: r.testTakenAt ? localInputOf(r.testTakenAt, state.timezone.value) : '',
      testResult: (r.testResult ?? '') as VisitorDraft['testResult'],
    }));
    setVs([...vs.filter((v) => v.name), ...drafts]);
    setImported(null);
  };

  return (
    <form class="card" onSubmit={submit} data-form="request" noValidate>
      <h1>{editId ? (backfill ? t('req.backfill') : t('req.edit')) : t('req.new')}</h1>
      {earliest && !backfill && (
        <p class="hint">
          {rules.data?.rules.leadDays === 0
            ? t('req.leadHintSameDay', { date: earliest })
            : t('req.leadHint', { date: earliest, days: rules.data?.rules.leadDays ?? 1 })}
        </p>
      )}
      <div class="grid">
        <Field label={t('req.dateFrom')} name="visitDateFrom" error={action.error}>
          <input
            type="date"
            name="visitDateFrom"
            min={backfill ? undefined : earliest}
            value={f.visitDateFrom}
            onInput={(e) => setF({ ...f, visitDateFrom: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.dateTo')} name="visitDateTo" error={action.error}>
          <input
            type="date"
            name="visitDateTo"
            min={f.visitDateFrom || earliest}
            value={f.visitDateTo}
            onInput={(e) => setF({ ...f, visitDateTo: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('req.timeFrom')} name="timeFrom" error={action.error}>
          <input
            type="time"
            name="timeFrom"
            value={f.timeFrom}
            onInput={(e) => setF({ ...f, timeFrom: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.timeTo')} name="timeTo" error={action.error}>
          <input
            type="time"
            name="timeTo"
            value={f.timeTo}
            onInput={(e) => setF({ ...f, timeTo: e.currentTarget.value })}
            required
          />
        </Field>
      </div>
      <fieldset class="field" data-field="gateIds">
        <legend>{t('req.gates')}</legend>
        {gates.data
          ?.filter((g) => g.active)
          .map((g) => (
            <label key={g.id} class="check">
              <input
                type="checkbox"
                name="gateIds"
                value={g.id}
                checked={f.gateIds.includes(g.id)}
                onChange={(e) =>
                  setF({
                    ...f,
                    gateIds: e.currentTarget.checked ? [...f.gateIds, g.id] : f.gateIds.filter((x) => x !== g.id),
                  })
                }
              />
              {state.nameOf(g)}
            </label>
          ))}
        <FieldIssues error={action.error} path="gateIds" />
      </fieldset>
      <div class="grid">
        <Field label={t('req.purpose')} name="purpose" error={action.error}>
          <input
            name="purpose"
            value={f.purpose}
            onInput={(e) => setF({ ...f, purpose: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.destination')} name="destination" error={action.error}>
          <input
            name="destination"
            value={f.destination}
            onInput={(e) => setF({ ...f, destination: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.escortName')} name="escortName" error={action.error}>
          <input
            name="escortName"
            value={f.escortName}
            onInput={(e) => setF({ ...f, escortName: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.escortPhone')} name="escortPhone" error={action.error}>
          <input
            name="escortPhone"
            type="tel"
            value={f.escortPhone}
            onInput={(e) => setF({ ...f, escortPhone: e.currentTarget.value })}
            required
          />
        </Field>
        <Field label={t('req.escortEmail')} name="escortEmail" error={action.error}>
          <input
            name="escortEmail"
            type="email"
            autocomplete="off"
            value={f.escortEmail}
            onInput={(e) => setF({ ...f, escortEmail: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('req.kind')} name="kind" error={action.error}>
          <select
            name="kind"
            value={f.kind}
            onChange={(e) => setF({ ...f, kind: e.currentTarget.value as RequestKind })}
          >
            {REQUEST_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`req.kind.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('req.vehiclePlate')} name="vehiclePlate" error={action.error}>
          <input
            name="vehiclePlate"
            value={f.vehiclePlate}
            onInput={(e) => setF({ ...f, vehiclePlate: e.currentTarget.value })}
          />
        </Field>
      </div>
      {people > (rules.data?.rules.groupCap ?? 50) && (
        <Field
          label={t('req.preventionPlan', { cap: rules.data?.rules.groupCap ?? 50 })}
          name="preventionPlan"
          error={action.error}
        >
          <textarea
            name="preventionPlan"
            rows={4}
            value={f.preventionPlan}
            onInput={(e) => setF({ ...f, preventionPlan: e.currentTarget.value })}
          />
        </Field>
      )}

      <header class="row">
        <h2>
          {t('req.visitors')} ({people})
        </h2>
        <label class="upload">
          {t('req.import')}
          <input type="file" accept=".csv,.xlsx" name="import" onChange={(e) => onImport(e.currentTarget.files?.[0])} />
        </label>
        <span class="templates">
          {t('req.template')}{' '}
          <a href="/api/v1/requests/import/template?format=xlsx" download>
            Excel
          </a>{' '}
          <a href="/api/v1/requests/import/template?format=csv" download>
            CSV
          </a>
        </span>
      </header>
      {imported && (
        <div class="import-preview" data-testid="import-preview">
          <p>{t('req.importResult', { valid: imported.valid, invalid: imported.invalid })}</p>
          <ul>
            {imported.rows
              .filter((r) => r.issues.length)
              .map((r) => (
                <li key={r.row} class="issue" data-row={r.row}>
                  {t('req.importRow', { row: r.row })}:{' '}
                  {r.issues
                    .map(
                      (i) =>
                        `${columnOf(i.path)}${state.lang.value === 'zh' ? '：' : ': '}${state.lang.value === 'zh' && i.messageZh ? i.messageZh : i.message}`,
                    )
                    .join('；')}
                </li>
              ))}
          </ul>
          <button type="button" onClick={addImported} disabled={imported.valid === 0}>
            {t('req.importAdd')}
          </button>
        </div>
      )}
      {vs.map((v, i) => {
        const prefix = prefixOf(i);
        const outOfCity = v.fromRegion[0] && campusCode ? !regionWithin(v.fromRegion[0], campusCode) : false;
        const testAsked = !!policy && testRequiredBy(policy, !!outOfCity);
        const locked = v.invitationId !== undefined; // a sent invitation stays one (its link is out)
        return (
          <fieldset key={i} class="visitor" data-visitor={i} data-mode={v.mode}>
            <legend>
              {t('req.visitorN', { n: i + 1 })}
              {vs.length > 1 && (
                <button type="button" class="link" onClick={() => setVs(vs.filter((_, j) => j !== i))}>
                  {t('req.removeVisitor')}
                </button>
              )}
            </legend>
            {!locked && !backfill && (
              <div class="modes" role="radiogroup" aria-label={t('req.mode')}>
                {(['invite', 'filer'] as const).map((m) => (
                  <label key={m} class={v.mode === m ? 'chip on' : 'chip'}>
                    <input
                      type="radio"
                      name={`mode-${i}`}
                      value={m}
                      checked={v.mode === m}
                      onChange={() => setV(i, { mode: m })}
                    />
                    {t(`req.mode.${m}`)}
                  </label>
                ))}
              </div>
            )}
            {v.mode === 'invite' ? (
              <>
                <p class="hint">{t('req.inviteHint')}</p>
                <div class="grid">
                  <Field label={t('v.name')} name={`${prefix}.name`} error={action.error}>
                    <input
                      name="name"
                      value={v.name}
                      onInput={(e) => setV(i, { name: e.currentTarget.value })}
                      required
                    />
                  </Field>
                  <Field label={t('inv.phone')} name={`${prefix}.phone`} error={action.error}>
                    <input
                      name="phone"
                      type="tel"
                      value={v.phone}
                      onInput={(e) => setV(i, { phone: e.currentTarget.value })}
                    />
                  </Field>
                  <Field label={t('inv.email')} name={`${prefix}.email`} error={action.error}>
                    <input
                      name="email"
                      type="email"
                      autocomplete="off"
                      value={v.email}
                      onInput={(e) => setV(i, { email: e.currentTarget.value })}
                    />
                  </Field>
                  <Field label={t('inv.headCount')} name={`${prefix}.headCount`} error={action.error}>
                    <input
                      name="headCount"
                      type="number"
                      min={Math.max(1, v.completed ?? 0)}
                      max={2000}
                      value={v.headCount}
                      onInput={(e) => setV(i, { headCount: Math.max(1, Number(e.currentTarget.value) || 1) })}
                    />
                  </Field>
                  <Field label={t('inv.locale')} name={`${prefix}.locale`} error={action.error}>
                    <select
                      name="locale"
                      value={v.locale}
                      onChange={(e) => setV(i, { locale: e.currentTarget.value as VisitorDraft['locale'] })}
                    >
                      <option value="zh">中文</option>
                      <option value="en">English</option>
                    </select>
                  </Field>
                </div>
                {v.completed !== undefined && (
                  <p class="hint">{t('inv.completedOf', { done: v.completed, of: v.headCount })}</p>
                )}
              </>
            ) : (
              <>
                {policy?.commitment && <p class="hint">{t('req.paperHint')}</p>}
                <div class="grid">
                  <Field label={t('v.name')} name={`${prefix}.name`} error={action.error}>
                    <input
                      name="name"
                      value={v.name}
                      onInput={(e) => setV(i, { name: e.currentTarget.value })}
                      required
                    />
                  </Field>
                  <Field label={t('v.idType')} name={`${prefix}.idType`} error={action.error}>
                    <select
                      name="idType"
                      value={v.idType}
                      onChange={(e) => setV(i, { idType: e.currentTarget.value as IdType })}
                    >
                      {ID_TYPES.map((x) => (
                        <option key={x} value={x}>
                          {t(`id.${x}`)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('v.idNumber')} name={`${prefix}.idNumber`} error={action.error}>
                    <input
                      name="idNumber"
                      autocomplete="off"
                      placeholder={v.idLast4 && v.idLast4 !== '----' ? `****${v.idLast4}` : ''}
                      value={v.idNumber}
                      onInput={(e) => setV(i, { idNumber: e.currentTarget.value })}
                      required={!v.visitorId}
                    />
                    {v.visitorId && !v.idNumber && (
                      <small class="hint" data-testid="id-kept">
                        {t('v.idKept', { last4: v.idLast4 ?? '' })}
                      </small>
                    )}
                  </Field>
                  <Field label={t('v.phone')} name={`${prefix}.phone`} error={action.error}>
                    <input
                      name="phone"
                      type="tel"
                      value={v.phone}
                      onInput={(e) => setV(i, { phone: e.currentTarget.value })}
                      required
                    />
                  </Field>
                  <Field label={t('v.email')} name={`${prefix}.email`} error={action.error}>
                    <input
                      name="email"
                      type="email"
                      autocomplete="off"
                      value={v.email}
                      onInput={(e) => setV(i, { email: e.currentTarget.value })}
                    />
                  </Field>
                </div>
                <div class="grid">
                  <div class="field">
                    <span>{t('v.fromRegion')}</span>
                    <RegionPicker
                      name={`${prefix}.fromRegion`}
                      label={t('v.fromRegion')}
                      value={v.fromRegion}
                      onChange={(codes) => setV(i, { fromRegion: codes })}
                    />
                    <FieldIssues error={action.error} path={`${prefix}.fromRegion`} />
                  </div>
                  {policy?.riskAreaDeclaration && (
                    <div class="field" data-field="visitedRegions">
                      <span>{t('v.visitedRegions', { days: policy.lookbackDays })}</span>
                      <RegionPicker
                        name={`${prefix}.visitedRegions`}
                        label={t('v.visitedRegions', { days: policy.lookbackDays })}
                        multiple
                        value={v.visitedRegions}
                        onChange={(codes) => setV(i, { visitedRegions: codes })}
                      />
                      <FieldIssues error={action.error} path={`${prefix}.visitedRegions`} />
                    </div>
                  )}
                </div>
                {testAsked && policy && (
                  <div class="grid out-of-city" data-field="test">
                    <strong>
                      {t(outOfCity ? 'v.outOfCity' : 'v.testForAll', { hours: policy.nucleicTest.hours })}
                    </strong>
                    <Field label={t('v.testTakenAt')} name={`${prefix}.testTakenAt`} error={action.error}>
                      <input
                        type="datetime-local"
                        name="testTakenAt"
                        value={v.testTakenAt}
                        onInput={(e) => setV(i, { testTakenAt: e.currentTarget.value })}
                      />
                    </Field>
                    <Field label={t('v.testResult')} name={`${prefix}.testResult`} error={action.error}>
                      <select
                        name="testResult"
                        value={v.testResult}
                        onChange={(e) => setV(i, { testResult: e.currentTarget.value as VisitorDraft['testResult'] })}
                      >
                        <option value="" />
                        <option value="negative">{t('v.negative')}</option>
                        <option value="positive">{t('v.positive')}</option>
                      </select>
                    </Field>
                  </div>
                )}
                {policy?.closeContactDeclaration && (
                  <label class="check" data-field="closeContact">
                    <input
                      type="checkbox"
                      name="closeContact"
                      checked={v.closeContact}
                      onChange={(e) => setV(i, { closeContact: e.currentTarget.checked })}
                    />
                    {t('v.closeContact', { days: policy.lookbackDays })}
                  </label>
                )}
              </>
            )}
            <VisitorIssues error={action.error} prefix={prefix} />
          </fieldset>
        );
      })}
      <div class="row">
        <button type="button" onClick={() => setVs([...vs, blankVisitor('invite')])}>
          {t('req.addInvitation')}
        </button>
        <button type="button" onClick={() => setVs([...vs, blankVisitor('filer')])}>
          {t('req.addVisitor')}
        </button>
      </div>
      <ErrorBanner
        error={action.error instanceof ApiFailure && action.error.code === 'validation_failed' ? null : action.error}
      />
      {action.error instanceof ApiFailure && action.error.code === 'validation_failed' && (
        <p class="error" role="alert" data-code="validation_failed">
          {t('error.validation_failed')}
        </p>
      )}
      <button type="submit" class="primary big" disabled={action.busy}>
        {editId ? t('req.save') : t('req.submit')}
      </button>
    </form>
  );
}

function importFile(file: File) {
  return ok(api.requests.import.$post({ form: { file } }));
}
