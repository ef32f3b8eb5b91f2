import { useEffect } from 'preact/hooks';
import { refusalText } from '../../../server/domain/admission';
import { campusTimeText } from '../../../server/domain/dates';
import { useAppState, type Entrant } from '../lib/state';

/** Two short tones: rising for admit, low for refuse. No audio file to load, works offline. */
function cue(admit: boolean) {
  try {
    const ctx = new AudioContext();
    const tones = admit ? [660, 880] : [330, 220];
    tones.forEach((f, i) => {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.frequency.value = f;
      g.gain.value = 0.2;
      o.connect(g).connect(ctx.destination);
      o.start(ctx.currentTime + i * 0.18);
      o.stop(ctx.currentTime + i * 0.18 + 0.16);
    });
  } catch {
    // no audio device: the colour and the words carry the verdict
  }
}

/** Full screen, readable at 2 m: the verdict, every check, and for a refusal the reason in both languages. */
export function Verdict({ e }: { e: Entrant }) {
  const state = useAppState();
  const t = state.t.value;
  const admit = e.decision.verdict === 'admit';
  const policy = state.policyOf(e);
  const leaving = e.member !== null && e.direction === 'out';
  // A campus that carries its members' credentials binds the escort by their credential, not a tap.
  const escortByCredential = (state.snapshot.value?.members.length ?? 0) > 0;
  useEffect(() => cue(admit), [admit]);
  // A used-up pass whose holder is inside: say where and since when, not only "no entries left".
  const inside = e.decision.reasons.includes('pass_no_entries_left') ? e.record?.inside : null;
  const tz = state.snapshot.value?.rules.rules.timezone ?? 'Asia/Shanghai';
  return (
    <div
      class={admit ? 'verdict admit' : 'verdict refuse'}
      role="alert"
      data-verdict={e.decision.verdict}
      data-reasons={e.decision.reasons.join(' ')}
    >
      <div class="verdict-word">
        <span class="zh">
          {leaving
            ? t(admit ? 'verdict.exitAdmit' : 'verdict.exitRefuse')
            : t(admit ? 'verdict.admit' : 'verdict.refuse')}
        </span>
        <span class="en">
          {leaving
            ? t(admit ? 'verdict.exitAdmitEn' : 'verdict.exitRefuseEn')
            : t(admit ? 'verdict.admitEn' : 'verdict.refuseEn')}
        </span>
      </div>
      {e.member && (
        <p class="verdict-who" data-testid="verdict-member">
          {e.member.name} · {e.member.number} · {t(`memberType.${e.member.type}`)}
        </p>
      )}
      {inside && (
        <p class="verdict-who" data-testid="inside-since">
          {t('verdict.insideSince', {
            time: campusTimeText(inside.since, tz, state.lang.value, { time: true, zone: false }),
            gate: state.lang.value === 'en' && inside.gateNameEn ? inside.gateNameEn : inside.gateName,
          })}
        </p>
      )}
      {!admit && (
        <ul class="reasons print-slip">
          {policy &&
            e.decision.reasons.map((r) => (
              <li key={r} data-reason={r}>
                <span class="zh">{refusalText(r, policy).zh}</span>
                <span class="en">{refusalText(r, policy).en}</span>
              </li>
            ))}
        </ul>
      )}
      {e.decision.checks.length > 0 && (
        <ul class="checks">
          {e.decision.checks
            .filter((c) => c.outcome !== 'not_applicable')
            .map((c) => (
              <li key={c.code} class={`check ${c.outcome}`} data-check={c.code} data-outcome={c.outcome}>
                {t(`check.${c.code}`)}: {t(`outcome.${c.outcome}`)}
                {c.code === 'temperature' &&
                e.decision.temperature.state !== 'none' &&
                'celsius' in e.decision.temperature
                  ? ` ${e.decision.temperature.celsius.toFixed(1)}°C`
                  : ''}
              </li>
            ))}
        </ul>
      )}
      {admit && e.record && policy?.escort && (
        <p class="escort">
          {e.escortArrived ? t('verdict.escortDone') : t('verdict.waitEscort', { name: e.record.request.escortName })}
        </p>
      )}
      {admit && e.record && policy?.escort && !e.escortArrived && escortByCredential && (
        <p class="escort" data-testid="escort-scan-hint">
          {t('escort.scanHint')}
        </p>
      )}
      <div class="verdict-actions">
        {!e.recorded && <span>{t('verdict.saving')}</span>}
        {admit && e.record && policy?.escort && !e.escortArrived && !escortByCredential && (
          <button type="button" class="big" onClick={() => void state.escortArrived()}>
            {t('verdict.escort')}
          </button>
        )}
        {!admit && (
          <button type="button" class="big" onClick={() => window.print()}>
            {t('verdict.print')}
          </button>
        )}
        <button type="button" class="big primary" disabled={!e.recorded} onClick={() => state.next()}>
          {t('verdict.next')}
        </button>
      </div>
    </div>
  );
}
