import { useEffect, useRef, useState } from 'preact/hooks';
import { campusTimeText, instantOfLocalInput } from '../../../server/domain/dates';
import type { Lang } from '../../../server/domain/i18n';
import { fromBase64Url, liveQrText, timeStep } from '../../../server/domain/live-code';
import { SYMPTOMS } from '../../../server/domain/member';
import { Countdown, drawQr, RegionSearch } from './app';
import { errorText, Frame, useCachedPage, useLang, type T } from './frame';
import { memberApi, VisitError, type MemberPage } from './api';

const cacheKey = (token: string) => `gatehouse.member.${token}`;

/**
 * The member's own page (`/m/<link>`): their credential with its live code (shown at the gate on the
 * way out and in, and to a visitor's guard as the escort), their leave (请假: filed here, decided by
 * their department's approver), and today's health check-in.
 */
export function MemberApp({ token }: { token: string }) {
  const { lang, t, toggle } = useLang((t) => t('member.title'));
  const { page, setPage, offline, error } = useCachedPage(cacheKey(token), () => memberApi.page(token));
  const update = (p: MemberPage) => {
    setPage(p);
    localStorage.setItem(cacheKey(token), JSON.stringify(p));
  };
  return (
    <Frame
      title={t('member.title')}
      stage={page ? 'member' : 'loading'}
      class="visit member"
      t={t}
      lang={lang}
      onLang={toggle}
      offline={offline}
      error={error}
      loaded={page !== null}
    >
      {page && (
        <>
          <Credential page={page} t={t} lang={lang} />
          <CheckIn page={page} token={token} t={t} lang={lang} onSaved={update} />
          <Leaves page={page} token={token} t={t} lang={lang} onSaved={update} />
        </>
      )}
    </Frame>
  );
}

/**
 * A write from the member's page: busy while it runs, the server's answer becomes the page, its
 * error stays for the form, and a field the server named is marked.
 */
function usePageAction(t: T, onSaved: (p: MemberPage) => void) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const act = (p: Promise<MemberPage>) => {
    setBusy(true);
    p.then((next) => {
      setError(null);
      onSaved(next);
    }, setError).finally(() => setBusy(false));
  };
  const issue = (field: string) =>
    error instanceof VisitError && error.issues.some((i) => i.path[0] === field) ? t('member.required') : null;
  return { busy, error, act, issue };
}

function Credential({ page, t, lang }: { page: MemberPage; t: T; lang: Lang }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [now, setNow] = useState(() => new Date());
  const c = page.credential;
  const m = page.member;
  useEffect(() => {
    if (!c) return;
    const at = now.getTime();
    const stepEnd = (Math.floor(at / 1000 / c.stepSeconds) + 1) * c.stepSeconds * 1000;
    const timer = setTimeout(() => setNow(new Date()), Math.max(50, stepEnd - at));
    return () => clearTimeout(timer);
  }, [now, c]);
  const live = !!c && now.getTime() <= Date.parse(c.validTo);
  const step = c ? timeStep(now, c.stepSeconds) : 0;
  useEffect(() => {
    if (!live || !c || !canvas.current) return;
    const secret = fromBase64Url(c.secret);
    if (secret)
      drawQr(canvas.current, liveQrText(c.token, secret, new Date(step * c.stepSeconds * 1000), c.stepSeconds));
  }, [live, step, c]);
  const dept = (lang === 'en' && m.departmentEn) || m.department;
  return (
    <section class="box pass credential" data-active={m.active}>
      <h2>{t('member.credential')}</h2>
      <p class="who">
        <strong>{m.name}</strong> · {m.number}
      </p>
      <p>
        {t(`member.type.${m.type}`)}
        {dept ? ` · ${dept}` : ''}
        {m.unit ? ` · ${m.unit}` : ''}
      </p>
      {live && c && (
        <figure class="qr">
          <canvas ref={canvas} width={280} height={280} aria-label={t('member.credential')} />
          <Countdown t={t} stepSeconds={c.stepSeconds} />
        </figure>
      )}
      {!m.active && (
        <p class="error" role="alert">
          {t('member.inactive')}
        </p>
      )}
      {m.active && !live && (
        <p class="error" role="alert">
          {t('member.reopen')}
        </p>
      )}
      <p class="note">{page.exitNeedsLeave ? t('member.exitNeedsLeave') : t('member.showAtGate')}</p>
    </section>
  );
}

function CheckIn({
  page,
  token,
  t,
  lang,
  onSaved,
}: {
  page: MemberPage;
  token: string;
  t: T;
  lang: Lang;
  onSaved: (p: MemberPage) => void;
}) {
  const c = page.checkIn;
  const [temperature, setTemperature] = useState('');
  const [location, setLocation] = useState<{ code: string; label: string } | null>(null);
  const [symptoms, setSymptoms] = useState<string[]>([]);
  const { busy, error, act, issue: missing } = usePageAction(t, onSaved);
  const asks = new Set(c.fields);
  const submit = (ev: Event) => {
    ev.preventDefault();
    act(
      memberApi.checkIn(token, {
        ...(asks.has('temperature') ? { temperature: temperature ? Number(temperature) : null } : {}),
        ...(asks.has('location') ? { location: location?.code ?? null } : {}),
        ...(asks.has('symptoms') ? { symptoms: symptoms as (typeof SYMPTOMS)[number][] } : {}),
      }),
    );
  };
  return (
    <section class="box check-in" data-done={c.done}>
      <h2>{t('member.checkIn', { day: c.day })}</h2>
      {c.done ? (
        <p class="note ok" data-testid="checked-in">
          {t('member.checkedIn', { at: campusTimeText(c.at!, page.campusTimezone, lang) })}
        </p>
      ) : (
        <>
          {c.requiredAtGate && <p class="note">{t('member.checkInRequired')}</p>}
          <form onSubmit={submit}>
            {asks.has('temperature') && (
              <div class="field">
                <label for="f-temperature">{t('member.temperature')}</label>
                <input
                  id="f-temperature"
                  type="number"
                  inputMode="decimal"
                  step="0.1"
                  min="34"
                  max="43"
                  value={temperature}
                  onInput={(e) => setTemperature(e.currentTarget.value)}
                  aria-invalid={!!missing('temperature')}
                />
                {missing('temperature') && <p class="issue">{missing('temperature')}</p>}
              </div>
            )}
            {asks.has('location') && (
              <RegionSearch
                search={(q) => memberApi.regions(token, q)}
                t={t}
                label={t('member.location')}
                name="location"
                picked={location ? [location] : []}
                onPick={setLocation}
                onRemove={() => setLocation(null)}
                invalid={!!missing('location')}
              />
            )}
            {asks.has('symptoms') && (
              <fieldset class="field symptoms">
                <legend>{t('member.symptoms')}</legend>
                {SYMPTOMS.map((s) => (
                  <label key={s} class="check">
                    <input
                      type="checkbox"
                      checked={symptoms.includes(s)}
                      onChange={(e) =>
                        setSymptoms(e.currentTarget.checked ? [...symptoms, s] : symptoms.filter((x) => x !== s))
                      }
                    />
                    {t(`member.symptom.${s}`)}
                  </label>
                ))}
                <p class="hint">{t('member.noSymptoms')}</p>
              </fieldset>
            )}
            {error !== null && (
              <p class="error" role="alert">
                {errorText(t, error)}
              </p>
            )}
            <button type="submit" class="primary" disabled={busy}>
              {t('member.checkInSubmit')}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

function Leaves({
  page,
  token,
  t,
  lang,
  onSaved,
}: {
  page: MemberPage;
  token: string;
  t: T;
  lang: Lang;
  onSaved: (p: MemberPage) => void;
}) {
  const tz = page.campusTimezone;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [destination, setDestination] = useState<{ code: string; label: string } | null>(null);
  const [reason, setReason] = useState('');
  const { busy, error, act, issue } = usePageAction(t, (next) => {
    onSaved(next);
    setReason('');
  });
  const open = page.leaves.some((l) => l.status === 'pending' || l.status === 'approved' || l.status === 'out');
  const at = (iso: string) => campusTimeText(iso, tz, lang);
  // A campus wall-clock time typed on the phone, in the campus's zone whatever the phone's.
  const instant = (local: string) => instantOfLocalInput(local, tz);
  return (
    <section class="box leaves">
      <h2>{t('member.leaves')}</h2>
      <ul class="leave-list">
        {page.leaves.map((l) => (
          <li key={l.id} data-leave={l.id} data-status={l.status}>
            <strong>{t(`member.leave.${l.status}`)}</strong> · {at(l.from)} – {at(l.to)} · {l.destinationName}
            {l.decidedBy && (
              <span class="who">
                {' '}
                · {t('member.decidedBy', { name: l.decidedBy })}
                {l.decisionNote ? `：${l.decisionNote}` : ''}
              </span>
            )}
            {l.overdue && <span class="error"> · {t('member.overdue')}</span>}
            {l.hold && <span class="error"> · {t('member.hold')}</span>}
            {(l.status === 'pending' || l.status === 'approved') && (
              <button type="button" disabled={busy} onClick={() => act(memberApi.cancelLeave(token, l.id))}>
                {t('member.cancelLeave')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {page.leaves.length === 0 && <p class="hint">{t('member.noLeaves')}</p>}
      {!open && page.member.active && (
        <form
          class="leave-form"
          onSubmit={(ev) => {
            ev.preventDefault();
            act(
              memberApi.fileLeave(token, {
                from: instant(from),
                to: instant(to),
                destination: destination?.code ?? '',
                reason,
              }),
            );
          }}
        >
          <h3>{t('member.fileLeave')}</h3>
          <div class="field">
            <label for="f-from">{t('member.from', { tz })}</label>
            <input id="f-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            {issue('from') && <p class="issue">{issue('from')}</p>}
          </div>
          <div class="field">
            <label for="f-to">{t('member.to', { tz })}</label>
            <input id="f-to" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            {issue('to') && <p class="issue">{issue('to')}</p>}
          </div>
          <RegionSearch
            search={(q) => memberApi.regions(token, q)}
            t={t}
            label={t('member.destination')}
            name="destination"
            picked={destination ? [destination] : []}
            onPick={setDestination}
            onRemove={() => setDestination(null)}
            invalid={!!issue('destination')}
          />
          <div class="field">
            <label for="f-reason">{t('member.reason')}</label>
            <textarea id="f-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            {issue('reason') && <p class="issue">{issue('reason')}</p>}
          </div>
          {error !== null && (
            <p class="error" role="alert">
              {errorText(t, error)}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {t('member.submitLeave')}
          </button>
        </form>
      )}
    </section>
  );
}
