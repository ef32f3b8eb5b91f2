import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { campusTimeText, instantOfLocalInput, localInputOf } from '../../../server/domain/dates';
import type { Lang } from '../../../server/domain/i18n';
import { fromBase64Url, liveQrText, timeStep } from '../../../server/domain/live-code';
import { maskName } from '../../../server/domain/names';
import { regionWithin, testRequiredBy } from '../../../server/domain/region-code';
import { visitMessages, type VisitKey } from './messages';
import { visitApi, VisitError, type Declaration, type Issue, type VisitPage } from './api';
import { errorText, Frame, useCachedPage, useLang, type T } from './frame';

/**
 * The QR library, fetched at once beside the page's data (not after it): on a slow network the
 * pass shows a round trip sooner. The invitation's form never waits for it.
 */
const qrLibrary = import('qrcode');

/**
 * Draws a code on the canvas (and notes its text for the tests). One byte-mode segment and a fixed
 * mask: the library's searches for the smallest mix of modes and the best of eight masks cost a slow
 * phone a long task every step (a profile at 4× CPU), for a code that scans as well without them
 * (the tests decode it, the gate's camera reads it).
 */
export function drawQr(target: HTMLCanvasElement, text: string) {
  void qrLibrary.then(({ default: QRCode }) =>
    QRCode.toCanvas(target, [{ data: new TextEncoder().encode(text), mode: 'byte' }], {
      errorCorrectionLevel: 'M',
      maskPattern: 0,
      margin: 2,
      width: 280,
    }).then(() => {
      target.dataset.qr = text;
    }),
  );
}

const cacheKey = (token: string) => `gatehouse.visit.${token}`;
const ID_TYPES = ['resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit', 'other'] as const;

/** The visitor's one page: their invitation, their own declaration, then their pass (server/visit/store.ts). */
export function VisitApp({ token }: { token: string }) {
  const [stage, setStage] = useState<VisitPage['stage'] | null>(null);
  const { lang, t, toggle } = useLang((t) => (stage === 'pass' ? t('pass.docTitle') : t('app.title')));
  const [editing, setEditing] = useState(false);
  // The language is sent once, on opening; switching it later is the visitor's own view.
  const { page, setPage, offline, error } = useCachedPage(
    cacheKey(token),
    () => visitApi.page(token),
    () => void visitApi.opened(token, lang).catch(() => undefined),
  );
  useEffect(() => setStage(page?.stage ?? null), [page?.stage]);

  const update = (p: VisitPage) => {
    setPage(p);
    setEditing(false);
    // A group link answers with this visitor's own page: it becomes theirs, in the address bar and the cache.
    const own = p.link?.split('/').pop();
    const key = own ?? token;
    localStorage.setItem(cacheKey(key), JSON.stringify(p));
    if (own && own !== token) history.replaceState(null, '', p.link!);
    window.scrollTo(0, 0);
  };

  return (
    <Frame
      title={
        page
          ? (lang === 'en' && page.visit.campusEn ? page.visit.campusEn : page.visit.campus) || t('app.title')
          : t('app.title')
      }
      stage={page?.stage ?? 'loading'}
      t={t}
      lang={lang}
      onLang={toggle}
      offline={offline}
      error={error}
      loaded={page !== null}
    >
      {page && (
        <Stage
          page={page}
          token={page.link?.split('/').pop() ?? token}
          t={t}
          lang={lang}
          editing={editing}
          setEditing={setEditing}
          onSaved={update}
        />
      )}
    </Frame>
  );
}

function Stage({
  page,
  token,
  t,
  lang,
  editing,
  setEditing,
  onSaved,
}: {
  page: VisitPage;
  token: string;
  t: T;
  lang: Lang;
  editing: boolean;
  setEditing: (on: boolean) => void;
  onSaved: (p: VisitPage) => void;
}) {
  const facts = <VisitFacts page={page} t={t} lang={lang} />;
  if (page.stage === 'closed')
    return (
      <>
        <p class="error" role="alert" data-closed={page.closedReason}>
          {t(`closed.${page.closedReason ?? 'expired'}`)}
        </p>
        {page.closedReason !== 'erased' && facts}
        <Erasure page={page} token={token} t={t} lang={lang} onSaved={onSaved} />
      </>
    );
  if (page.stage === 'pass' && page.pass)
    return (
      <>
        <PassView page={page} pass={page.pass} t={t} lang={lang} />
        {facts}
        <Erasure page={page} token={token} t={t} lang={lang} onSaved={onSaved} />
      </>
    );
  if (page.stage === 'declared' && page.declaration && !editing)
    return (
      <>
        <section class="box ok" data-testid="declared">
          <h2>{t('declared.title')}</h2>
          <p>{page.declaration.editable ? t('declared.hint') : t('declared.locked')}</p>
          {page.declaration.commitment && (
            <p>
              {t('declared.signed', {
                at: campusTimeText(page.declaration.commitment.signedAt, page.visit.timezone, lang),
                name: page.declaration.commitment.signedName,
                version: page.declaration.commitment.version,
              })}
            </p>
          )}
          {page.declaration.checks.length > 0 && (
            <p class="warn">
              {t('declared.checks')}{' '}
              {page.declaration.checks
                .map((c) =>
                  t((`check.${c}` as VisitKey) in visitMessages.zh ? (`check.${c}` as VisitKey) : 'check.other'),
                )
                .join(lang === 'zh' ? '、' : ', ')}
            </p>
          )}
          {page.declaration.editable && (
            <button type="button" class="wide" onClick={() => setEditing(true)}>
              {t('declared.edit')}
            </button>
          )}
        </section>
        {facts}
      </>
    );
  return (
    <>
      {facts}
      <DeclarationForm page={page} token={token} t={t} lang={lang} onSaved={onSaved} />
    </>
  );
}

function VisitFacts({ page, t, lang }: { page: VisitPage; t: T; lang: Lang }) {
  const v = page.visit;
  const en = lang === 'en';
  return (
    <section class="box facts">
      <h2>{t('visit.invite', { department: (en && v.departmentEn) || v.department })}</h2>
      {page.group && <p class="note">{t('visit.group', { of: page.group.headCount, done: page.group.completed })}</p>}
      <dl>
        <dt>{t('visit.when')}</dt>
        <dd>
          {v.dateFrom}
          {v.dateTo !== v.dateFrom && ` – ${v.dateTo}`} {v.timeFrom}–{v.timeTo}
        </dd>
        <dt>{t('visit.gates')}</dt>
        <dd>
          {v.gates.map((g) => (
            <span key={g.name} class="gate">
              {(en && g.nameEn) || g.name}
              {(g.address || g.addressEn) && <small> · {(en && g.addressEn) || g.address}</small>}
            </span>
          ))}
        </dd>
        <dt>{t('visit.purpose')}</dt>
        <dd>
          {v.purpose} · {v.destination}
        </dd>
        <dt>{t('visit.host')}</dt>
        <dd>
          {v.escortName}{' '}
          <a href={`tel:${v.escortPhone.replace(/[^\d+]/g, '')}`} data-testid="escort-phone">
            {v.escortPhone}
          </a>
        </dd>
      </dl>
    </section>
  );
}

type Draft = {
  name: string;
  idType: (typeof ID_TYPES)[number];
  idNumber: string;
  phone: string;
  email: string;
  from: { code: string; label: string } | null;
  visited: { code: string; label: string }[];
  closeContact: boolean | null;
  testAt: string;
  testResult: '' | 'negative' | 'positive';
  consentId: boolean;
  consentHealth: boolean;
  signedName: string;
  signed: boolean;
};

function draftOf(page: VisitPage): Draft {
  const d = page.declaration;
  return {
    name: d?.name ?? page.invitedName ?? '',
    idType: (d?.idType as Draft['idType'] | undefined) ?? 'resident_id',
    idNumber: '',
    phone: d?.phone ?? '',
    email: d?.email ?? '',
    from: d ? { code: d.fromRegion, label: d.fromRegion } : null,
    visited: d?.visitedRegions.map((c) => ({ code: c, label: c })) ?? [],
    closeContact: d ? d.closeContact : null,
    testAt: d?.testTakenAt ? localInputOf(d.testTakenAt, page.visit.timezone) : '',
    testResult: (d?.testResult as Draft['testResult'] | null) ?? '',
    consentId: !!d,
    consentHealth: !!d,
    signedName: '',
    signed: false,
  };
}

/** Where each draft field is on the form, for the issues the server or the page finds. */
type Problem = { field: string; text: string };

function DeclarationForm({
  page,
  token,
  t,
  lang,
  onSaved,
}: {
  page: VisitPage;
  token: string;
  t: T;
  lang: Lang;
  onSaved: (p: VisitPage) => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(page));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const p = page.policy;
  const outOfCity = d.from ? !regionWithin(d.from.code, p.campusRegionCode) : false;
  const testAsked = testRequiredBy({ nucleicTest: { scope: p.testScope } }, outOfCity);
  const asksHealth = p.riskAreaDeclaration || p.closeContactDeclaration || p.commitment || testAsked;
  const commitment = p.commitment ? page.commitment : null;
  const hasId = !!page.declaration;

  /** Everything missing, at once, in the visitor's language. */
  const check = (): Problem[] => {
    const out: Problem[] = [];
    if (!d.consentId) out.push({ field: 'consent.idNumber', text: t('need.consentId') });
    if (asksHealth && !d.consentHealth) out.push({ field: 'consent.health', text: t('need.consentHealth') });
    if (!d.name.trim()) out.push({ field: 'name', text: t('need.name') });
    if (!hasId && !d.idNumber.trim()) out.push({ field: 'idNumber', text: t('need.idNumber') });
    if (!d.phone.trim()) out.push({ field: 'phone', text: t('need.phone') });
    if (!d.from) out.push({ field: 'fromRegion', text: t('need.fromRegion') });
    if (p.closeContactDeclaration && d.closeContact === null)
      out.push({ field: 'closeContact', text: t('need.closeContact') });
    if (testAsked && (!d.testAt || !d.testResult)) out.push({ field: 'testTakenAt', text: t('need.test') });
    if (commitment && (!d.signed || !d.signedName.trim()))
      out.push({ field: 'commitment.accepted', text: t('need.sign') });
    else if (commitment && d.signedName.trim() !== d.name.trim())
      out.push({ field: 'commitment.signedName', text: t('need.signMatch') });
    return out;
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const found = check();
    setProblems(found);
    setFailure(null);
    if (found.length) return;
    const body: Declaration = {
      name: d.name.trim(),
      idType: d.idType,
      idNumber: d.idNumber.trim() || null,
      phone: d.phone.trim(),
      email: d.email.trim() || null,
      fromRegion: d.from!.code,
      visitedRegions: p.riskAreaDeclaration ? d.visited.map((r) => r.code) : [],
      closeContact: p.closeContactDeclaration ? d.closeContact === true : false,
      // The visitor's phone may be in any zone: the time typed is the campus's, as the form says.
      testTakenAt: testAsked && d.testAt ? instantOfLocalInput(d.testAt, page.visit.timezone) : null,
      testResult: testAsked && d.testResult ? d.testResult : null,
      consent: { idNumber: d.consentId, health: asksHealth && d.consentHealth },
      commitment: commitment
        ? { version: commitment.version, signedName: d.signedName.trim(), accepted: d.signed }
        : null,
      locale: lang,
    };
    setBusy(true);
    visitApi
      .declare(token, body)
      .then(onSaved, (err: unknown) => {
        if (err instanceof VisitError && err.issues.length)
          setProblems(
            err.issues.map((i: Issue) => ({
              field: i.path.join('.'),
              text: (lang === 'zh' ? i.messageZh : undefined) ?? i.message,
            })),
          );
        setFailure(err);
      })
      .finally(() => setBusy(false));
  };

  const issue = (field: string) => {
    const mine = problems.filter((x) => x.field === field || x.field.startsWith(`${field}.`));
    return mine.length ? (
      <span class="issue" id={`issue-${field}`}>
        {mine.map((x) => x.text).join('；')}
      </span>
    ) : null;
  };
  const bad = (field: string) => problems.some((x) => x.field === field || x.field.startsWith(`${field}.`));

  return (
    <form class="box declare" onSubmit={submit} noValidate data-testid="declaration">
      <h2>{t('privacy.title')}</h2>
      <div class="notice" data-testid="privacy">
        <p>{t('privacy.what')}</p>
        <p>{t('privacy.who')}</p>
        <p>{t('privacy.keep', { days: page.privacy.retentionDays })}</p>
      </div>
      <label class="tick">
        <input
          type="checkbox"
          name="consentId"
          checked={d.consentId}
          onChange={(e) => set({ consentId: e.currentTarget.checked })}
          aria-invalid={bad('consent.idNumber')}
        />
        <span>{t('consent.id')}</span>
      </label>
      {issue('consent.idNumber')}
      {asksHealth && (
        <>
          <label class="tick">
            <input
              type="checkbox"
              name="consentHealth"
              checked={d.consentHealth}
              onChange={(e) => set({ consentHealth: e.currentTarget.checked })}
              aria-invalid={bad('consent.health')}
            />
            <span>{t('consent.health')}</span>
          </label>
          {issue('consent.health')}
        </>
      )}

      <h2>{t('form.title')}</h2>
      <TextField
        name="name"
        label={t('form.name')}
        value={d.name}
        onInput={(v) => set({ name: v })}
        autocomplete="name"
        issue={issue('name')}
        invalid={bad('name')}
      />
      <div class="field">
        <label for="f-idType">{t('form.idType')}</label>
        <select
          id="f-idType"
          name="idType"
          value={d.idType}
          onChange={(e) => set({ idType: e.currentTarget.value as Draft['idType'] })}
        >
          {ID_TYPES.map((x) => (
            <option key={x} value={x}>
              {t(`id.${x}`)}
            </option>
          ))}
        </select>
      </div>
      <TextField
        name="idNumber"
        label={t('form.idNumber')}
        value={d.idNumber}
        onInput={(v) => set({ idNumber: v })}
        autocomplete="off"
        autocapitalize="characters"
        placeholder={hasId ? t('form.idKeep', { last4: page.declaration!.idLast4 }) : ''}
        issue={issue('idNumber')}
        invalid={bad('idNumber')}
      />
      <TextField
        name="phone"
        label={t('form.phone')}
        value={d.phone}
        onInput={(v) => set({ phone: v })}
        type="tel"
        autocomplete="tel"
        issue={issue('phone')}
        invalid={bad('phone')}
      />
      <TextField
        name="email"
        label={t('form.email')}
        value={d.email}
        onInput={(v) => set({ email: v })}
        type="email"
        autocomplete="email"
        issue={issue('email')}
        invalid={bad('email')}
      />
      <RegionSearch
        search={(q) => visitApi.regions(token, q)}
        t={t}
        label={t('form.fromRegion')}
        name="fromRegion"
        picked={d.from ? [d.from] : []}
        onPick={(r) => set({ from: r })}
        onRemove={() => set({ from: null })}
        invalid={bad('fromRegion')}
      />
      {issue('fromRegion')}
      {p.riskAreaDeclaration && (
        <RegionSearch
          search={(q) => visitApi.regions(token, q)}
          t={t}
          label={t('form.visited', { days: p.lookbackDays })}
          name="visitedRegions"
          picked={d.visited}
          onPick={(r) => set({ visited: [...d.visited.filter((x) => x.code !== r.code), r] })}
          onRemove={(code) => set({ visited: d.visited.filter((x) => x.code !== code) })}
          invalid={bad('visitedRegions')}
        />
      )}
      {p.closeContactDeclaration && (
        <fieldset class="field" aria-invalid={bad('closeContact')}>
          <legend>{t('form.closeContact', { days: p.lookbackDays })}</legend>
          <div class="choices">
            {([false, true] as const).map((yes) => (
              <label key={String(yes)} class="choice">
                <input
                  type="radio"
                  name="closeContact"
                  checked={d.closeContact === yes}
                  onChange={() => set({ closeContact: yes })}
                />
                {yes ? t('form.yes') : t('form.no')}
              </label>
            ))}
          </div>
          {issue('closeContact')}
        </fieldset>
      )}
      {testAsked && (
        <fieldset class="field" data-field="test">
          <legend>{t('form.test', { hours: p.testHours })}</legend>
          <div class="field">
            <label for="f-testTakenAt">{t('form.testAt')}</label>
            <input
              id="f-testTakenAt"
              type="datetime-local"
              name="testTakenAt"
              value={d.testAt}
              onInput={(e) => set({ testAt: e.currentTarget.value })}
              aria-invalid={bad('testTakenAt')}
            />
          </div>
          <div class="field">
            <label for="f-testResult">{t('form.testResult')}</label>
            <select
              id="f-testResult"
              name="testResult"
              value={d.testResult}
              onChange={(e) => set({ testResult: e.currentTarget.value as Draft['testResult'] })}
            >
              <option value="">{t('form.choose')}</option>
              <option value="negative">{t('form.negative')}</option>
              <option value="positive">{t('form.positive')}</option>
            </select>
          </div>
          {issue('testTakenAt')}
          {issue('testResult')}
        </fieldset>
      )}
      {commitment && (
        <section class="commitment" data-testid="commitment">
          <h2>{t('form.commitment')}</h2>
          <p class="text">{lang === 'en' ? commitment.en : commitment.zh}</p>
          <div class="field">
            <label for="f-signedName">{t('form.signName')}</label>
            <input
              id="f-signedName"
              name="signedName"
              autocomplete="off"
              value={d.signedName}
              onInput={(e) => set({ signedName: e.currentTarget.value })}
              aria-invalid={bad('commitment.signedName')}
            />
          </div>
          <label class="tick">
            <input
              type="checkbox"
              name="signed"
              checked={d.signed}
              onChange={(e) => set({ signed: e.currentTarget.checked })}
              aria-invalid={bad('commitment.accepted')}
            />
            <span>{t('form.sign')}</span>
          </label>
          {issue('commitment')}
        </section>
      )}
      {problems.length > 0 && (
        <div class="error" role="alert" data-testid="problems">
          <p>{t('form.fix', { n: problems.length })}</p>
          <ul>
            {problems.map((x) => (
              <li key={x.field + x.text}>{x.text}</li>
            ))}
          </ul>
        </div>
      )}
      {failure !== null && problems.length === 0 && (
        <p class="error" role="alert">
          {errorText(t, failure)}
        </p>
      )}
      <button type="submit" class="primary wide" disabled={busy}>
        {hasId ? t('form.resubmit') : t('form.submit')}
      </button>
    </form>
  );
}

/** A labelled text box with its issue below it (the label names the box alone: the issue is its description). */
export function TextField({
  name,
  label,
  value,
  onInput,
  issue,
  invalid,
  type = 'text',
  autocomplete,
  autocapitalize,
  placeholder,
}: {
  name: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  issue: ComponentChildren;
  invalid: boolean;
  type?: 'text' | 'tel' | 'email';
  autocomplete: string;
  autocapitalize?: 'characters';
  placeholder?: string;
}) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input
        type={type}
        autocomplete={autocomplete}
        autocapitalize={autocapitalize}
        placeholder={placeholder}
        id={`f-${name}`}
        name={name}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        aria-invalid={invalid}
        aria-describedby={issue ? `issue-${name}` : undefined}
      />
      {issue}
    </div>
  );
}

/** Picks GB/T 2260 regions by name: a text box and a list of matches (keyboard: Tab to a match, Enter). */
export function RegionSearch({
  search,
  t,
  label,
  name,
  picked,
  onPick,
  onRemove,
  invalid,
}: {
  search: (q: string) => Promise<{ code: string; fullName: string }[]>;
  t: T;
  label: string;
  name: string;
  picked: { code: string; label: string }[];
  onPick: (r: { code: string; label: string }) => void;
  onRemove: (code: string) => void;
  invalid: boolean;
}) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<{ code: string; fullName: string }[]>([]);
  useEffect(() => {
    if (!q.trim()) {
      setHits([]);
      return;
    }
    const timer = setTimeout(() => {
      search(q.trim()).then(setHits, () => setHits([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <div class="field region" data-field={name}>
      <span id={`${name}-label`}>{label}</span>
      {picked.length > 0 && (
        <div class="chips">
          {picked.map((r) => (
            <span key={r.code} class="chip" data-code={r.code}>
              {r.label}
              <button type="button" aria-label={t('form.remove', { name: r.label })} onClick={() => onRemove(r.code)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <input
        type="search"
        aria-labelledby={`${name}-label`}
        placeholder={t('form.regionSearch')}
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
        aria-invalid={invalid}
      />
      {hits.length > 0 && (
        <ul class="hits" role="listbox" aria-labelledby={`${name}-label`}>
          {hits.map((r) => (
            <li key={r.code}>
              <button
                type="button"
                role="option"
                aria-selected={false}
                onClick={() => {
                  onPick({ code: r.code, label: r.fullName });
                  setQ('');
                  setHits([]);
                }}
              >
                {r.fullName}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The pass: a notice until the window opens, then the live QR, computed here every second. */
function PassView({
  page,
  pass,
  t,
  lang,
}: {
  page: VisitPage;
  pass: NonNullable<VisitPage['pass']>;
  t: T;
  lang: Lang;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [now, setNow] = useState(() => new Date());
  const [printing, setPrinting] = useState(false);
  // The pass changes at a step's end (a new code), when its window opens and when it closes: it is
  // drawn again then, not every second (a phone at the gate has little to spare).
  useEffect(() => {
    const at = now.getTime();
    const stepEnd = (Math.floor(at / 1000 / pass.stepSeconds) + 1) * pass.stepSeconds * 1000;
    const next = Math.min(stepEnd, ...[Date.parse(pass.validFrom), Date.parse(pass.validTo) + 1].filter((x) => x > at));
    const timer = setTimeout(() => setNow(new Date()), Math.max(50, next - at));
    return () => clearTimeout(timer);
  }, [now, pass]);
  const notYet = now.getTime() < Date.parse(pass.validFrom);
  const forExit = pass.exitOnly && pass.token && pass.codeSecret;
  const live =
    (pass.status === 'valid' &&
      pass.token &&
      pass.codeSecret &&
      !notYet &&
      now.getTime() <= Date.parse(pass.validTo)) ||
    forExit;
  const step = timeStep(now, pass.stepSeconds);
  useEffect(() => {
    if (!live || !canvas.current) return;
    const secret = fromBase64Url(pass.codeSecret!);
    if (!secret) return;
    const text = printing
      ? pass.token!
      : liveQrText(pass.token!, secret, new Date(step * pass.stepSeconds * 1000), pass.stepSeconds);
    drawQr(canvas.current, text);
  }, [live, step, printing, pass]);
  const en = lang === 'en';
  const gates = page.visit.gates.map((g) => (en && g.nameEn) || g.name).join(en ? ', ' : '、');
  return (
    <section class="box pass" data-status={notYet && pass.status === 'valid' ? 'not_yet' : pass.status}>
      <h2>{t('pass.title')}</h2>
      {page.declaration && (
        <p class="who">
          {t('pass.visitor')} <strong translate={false}>{maskName(page.declaration.name)}</strong>
        </p>
      )}
      {pass.status === 'valid' && notYet && (
        <p class="note big" role="status" data-testid="not-yet">
          {t('pass.notYet', { from: campusTimeText(pass.validFrom, page.visit.timezone, lang), gates })}
        </p>
      )}
      {live && (
        <figure class="qr">
          <canvas ref={canvas} width={280} height={280} aria-label={t('pass.title')} />
          {!printing && <Countdown t={t} stepSeconds={pass.stepSeconds} />}
        </figure>
      )}
      {forExit && (
        <p class="note big" role="status" data-testid="exit-only">
          {t('pass.exitOnly')}
        </p>
      )}
      {pass.status !== 'valid' && (
        <p class="error" role="alert">
          {pass.status === 'revoked'
            ? t('pass.revoked')
            : pass.status === 'cancelled'
              ? t('pass.cancelled')
              : t('pass.expired')}
        </p>
      )}
      {pass.status === 'valid' && !notYet && !live && !forExit && (
        <p class="error" role="alert">
          {t('pass.expired')}
        </p>
      )}
      {pass.bringTestProof && <p class="note">{t('pass.bring', { hours: page.policy.testHours })}</p>}
      {pass.signOnPaper && <p class="note">{t('pass.paper')}</p>}
      <h3>{t('pass.rules')}</h3>
      <ol>
        <li>{t('pass.rule1')}</li>
        <li>{t('pass.rule2')}</li>
        <li>{t('pass.rule3')}</li>
      </ol>
      {pass.printable && live && (
        <>
          <p class="note">{t('pass.printAllowed')}</p>
          <button
            type="button"
            class="no-print"
            onClick={() => {
              setPrinting(true);
              setTimeout(() => {
                window.print();
                setPrinting(false);
              }, 100);
            }}
          >
            {t('pass.print')}
          </button>
        </>
      )}
    </section>
  );
}

/** The seconds left of the current code: the one thing on the pass that changes every second. */
export function Countdown({ t, stepSeconds }: { t: T; stepSeconds: number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = stepSeconds - (Math.floor(Date.now() / 1000) % stepSeconds);
  return <figcaption>{t('pass.live', { seconds: stepSeconds, left })}</figcaption>;
}

function Erasure({
  page,
  token,
  t,
  lang,
  onSaved,
}: {
  page: VisitPage;
  token: string;
  t: T;
  lang: Lang;
  onSaved: (p: VisitPage) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const e = page.erasure;
  if (e.requestedAt)
    return (
      <p class="note" data-testid="erasure-requested">
        {t('erase.requested', { at: campusTimeText(e.requestedAt, page.visit.timezone, lang), date: e.eraseBy })}
      </p>
    );
  if (!e.allowed) return null;
  return (
    <section class="box" data-testid="erasure">
      <h2>{t('erase.title')}</h2>
      <p>{t('erase.hint', { date: e.eraseBy })}</p>
      {!asking ? (
        <button type="button" onClick={() => setAsking(true)}>
          {t('erase.ask')}
        </button>
      ) : (
        <div role="alertdialog" aria-label={t('erase.title')}>
          <p>{t('erase.confirm')}</p>
          <button type="button" class="danger" onClick={() => visitApi.erase(token).then(onSaved, setFailure)}>
            {t('erase.yes')}
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)}>
            {t('erase.no')}
          </button>
        </div>
      )}
      {failure !== null && (
        <p class="error" role="alert">
          {errorText(t, failure)}
        </p>
      )}
    </section>
  );
}
