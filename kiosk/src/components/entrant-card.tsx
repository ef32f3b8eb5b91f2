import { useEffect, useState } from 'preact/hooks';
import { TEMPERATURE_METHODS, type TemperatureMethod } from '../../../server/domain/admission';
import { Keypad } from './keypad';
import { campusTimeText } from '../../../server/domain/dates';
import { useAppState, type Entrant } from '../lib/state';

const QUICK_READINGS = [36.0, 36.1, 36.2, 36.3, 36.4, 36.5, 36.6, 36.7, 36.8, 36.9, 37.0];

/** The visitor card and the checks still to do, one big button per answer. */
export function EntrantCard({ e }: { e: Entrant }) {
  const state = useAppState();
  const t = state.t.value;
  const en = state.lang.value === 'en';
  const [method, setMethod] = useState<TemperatureMethod>('forehead_ir');
  const [typing, setTyping] = useState<string | null>(null);
  const [clock, setClock] = useState(Date.now());
  const temp = e.decision.temperature;
  const policy = state.policyOf(e);
  const resting = temp.state === 'rest' && Date.parse(temp.retestAfter) > clock;
  useEffect(() => {
    if (temp.state !== 'rest') return;
    const timer = setInterval(() => setClock(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [temp.state]);
  const r = e.record;
  // The steps follow the engine: what the policy in force does not ask is never on screen.
  const pending = (code: string) => e.decision.checks.some((c) => c.code === code && c.outcome === 'pending');
  const codeDone = !pending('health_code');
  const idRequired = pending('id_match');
  const enter = () => {
    const c = Number(typing);
    if (typing && Number.isFinite(c)) state.addTemperature(c, method);
    setTyping(null);
  };
  const remaining = temp.state === 'rest' ? Math.max(0, Math.ceil((Date.parse(temp.retestAfter) - clock) / 1000)) : 0;
  const m = e.member;
  return (
    <section class="entrant" data-next={e.decision.next ?? ''}>
      {m && (
        <dl class="card-facts" data-testid="member-card">
          <dt>{t('card.member')}</dt>
          <dd class="visitor-name">{m.name}</dd>
          <dt>{t('card.number')}</dt>
          <dd>{m.number}</dd>
          <dt>{t('card.memberType')}</dt>
          <dd>{t(`memberType.${m.type}`)}</dd>
          <dt>{t('card.resident')}</dt>
          <dd>{m.resident ? t('confirm.residentYes') : t('confirm.residentNo')}</dd>
        </dl>
      )}
      {r && (
        <dl class="card-facts">
          <dt>{t('card.visitor')}</dt>
          <dd class="visitor-name">{r.visitor.name}</dd>
          {r.visitor.override && (
            <>
              <dt>{t('card.override')}</dt>
              <dd class="override" data-testid="override">
                {t('card.overrideText')}
              </dd>
            </>
          )}
          <dt>{t('card.id')}</dt>
          <dd>{r.visitor.idLast4}</dd>
          <dt>{t('card.host')}</dt>
          <dd>{en && r.request.departmentEn ? r.request.departmentEn : r.request.department}</dd>
          <dt>{t('card.escort')}</dt>
          <dd>
            {r.request.escortName} {r.request.escortPhone}
          </dd>
          <dt>{t('card.purpose')}</dt>
          <dd>
            {r.request.purpose} · {r.request.destination}
          </dd>
          <dt>{t('card.window')}</dt>
          <dd>
            {r.request.dateFrom} {r.request.timeFrom}–{r.request.timeTo}
          </dd>
        </dl>
      )}
      {!codeDone && (
        <div class="step" data-step="health_code">
          <h2>{e.healthCodeScanned ? t('code.scanned') : t('step.healthCode')}</h2>
          <div class="row3">
            <button type="button" class="big code green" onClick={() => state.setHealthCode('green')}>
              {t('code.green')}
            </button>
            <button type="button" class="big code yellow" onClick={() => state.setHealthCode('yellow')}>
              {t('code.yellow')}
            </button>
            <button type="button" class="big code red" onClick={() => state.setHealthCode('red')}>
              {t('code.red')}
            </button>
          </div>
        </div>
      )}
      {codeDone &&
        (e.decision.next === 'temperature' ||
          e.decision.next === 'retake_temperature' ||
          e.decision.next === 'rest') && (
          <div class="step" data-step="temperature">
            <h2>{t('step.temperature')}</h2>
            {temp.state === 'retake' && (
              <p class="warn" role="alert" data-testid="retake">
                {t('temp.retake', { c: temp.celsius.toFixed(1) })}
              </p>
            )}
            {temp.state === 'rest' && (
              <p class="warn" role="alert" data-testid="rest">
                {resting
                  ? t('temp.rest', {
                      c: temp.celsius.toFixed(1),
                      time: `${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, '0')}`,
                    })
                  : t('temp.restDone')}
              </p>
            )}
            <div class="methods" role="radiogroup" aria-label={t('temp.method')}>
              {TEMPERATURE_METHODS.map((m) => (
                <button
                  key={m}
                  type="button"
                  role="radio"
                  aria-checked={method === m}
                  class={method === m ? 'chip on' : 'chip'}
                  onClick={() => setMethod(m)}
                >
                  {t(`temp.${m}`)}
                </button>
              ))}
            </div>
            {typing === null ? (
              <div class="readings">
                {QUICK_READINGS.map((c) => (
                  <button
                    key={c}
                    type="button"
                    class="big reading"
                    disabled={resting}
                    onClick={() => state.addTemperature(c, method)}
                  >
                    {c.toFixed(1)}
                  </button>
                ))}
                <button type="button" class="big reading other" disabled={resting} onClick={() => setTyping('')}>
                  {t('temp.other')}
                </button>
              </div>
            ) : (
              <div class="typing">
                <output class="code-display" aria-label={t('step.temperature')}>
                  {typing || '—'}
                </output>
                <Keypad
                  decimal
                  label={t('step.temperature')}
                  onKey={(k) => setTyping(k === '⌫' ? typing.slice(0, -1) : (typing + k).slice(0, 4))}
                />
                <button type="button" class="big primary" onClick={enter} disabled={!typing}>
                  {t('temp.enter')}
                </button>
                <button type="button" class="big" onClick={() => setTyping(null)}>
                  {t('temp.clear')}
                </button>
              </div>
            )}
          </div>
        )}
      {codeDone && e.decision.next === 'nucleic_test' && (
        <div class="step" data-step="nucleic_test">
          <h2>
            {t('step.test', {
              hours: policy?.nucleicTest.hours ?? 48,
              at: r?.visitor.testTakenAt
                ? campusTimeText(
                    r.visitor.testTakenAt,
                    state.snapshot.value?.rules.rules.timezone ?? 'Asia/Shanghai',
                    state.lang.value,
                  )
                : '—',
            })}
          </h2>
          <div class="row3">
            <button type="button" class="big primary" onClick={() => state.confirmTest(true)}>
              {t('confirm.yes')}
            </button>
            <button type="button" class="big danger" onClick={() => state.confirmTest(false)}>
              {t('confirm.no')}
            </button>
          </div>
        </div>
      )}
      {codeDone && e.decision.next === 'commitment' && (
        <div class="step" data-step="commitment">
          <h2>{t('step.commitment')}</h2>
          <p class="hint">{t('commitment.paperHint')}</p>
          <div class="row3">
            <button type="button" class="big primary" onClick={() => state.confirmPaperCommitment(true)}>
              {t('commitment.signed')}
            </button>
            <button type="button" class="big danger" onClick={() => state.confirmPaperCommitment(false)}>
              {t('commitment.refused')}
            </button>
          </div>
        </div>
      )}
      {codeDone && e.idConfirmed === null && r && (idRequired || e.decision.next !== null) && (
        <div class={idRequired ? 'step' : 'step optional'} data-step="id_match">
          <h2>{idRequired ? t('step.idRequired') : t('step.id')}</h2>
          <div class="id-check">
            <output class="code-display" aria-label={t('card.id')}>
              {r.visitor.idLast4}
            </output>
            <button type="button" class="big primary" onClick={() => state.confirmId(true)}>
              {t('id.matches')}
            </button>
            <button type="button" class="big danger" onClick={() => state.confirmId(false)}>
              {t('id.differs')}
            </button>
          </div>
        </div>
      )}
      {!e.recorded && (
        <button
          type="button"
          class="big wide cancel-entrant"
          data-testid="cancel-entrant"
          onClick={() => state.cancel()}
        >
          {t('entrant.cancel')}
        </button>
      )}
    </section>
  );
}
