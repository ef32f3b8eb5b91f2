import { useEffect, useState } from 'preact/hooks';
import { ok } from '../lib/api';
import { useAppState } from '../lib/state';

const POLL_MS = 3000;

/** The reasons a gate meets most, one tap each; the guard may add to the words. */
const QUICK_REASONS = [
  'emergency.quick.repair',
  'emergency.quick.medical',
  'emergency.quick.official',
  'emergency.quick.family',
] as const;

/** 1:05 — minutes and seconds since the request was sent. */
const waited = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A walk-in who must enter: the guard sends an emergency request and waits here for the office. */
export function EmergencyPanel({ onClose }: { onClose: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const [departments, setDepartments] = useState<{ id: number; name: string; nameEn: string | null }[]>([]);
  // Four things, no more: who, how to reach them, whom they are for, and why it cannot wait. The host
  // department is chosen, never pre-selected: a wrong default would send the backfill to the wrong office.
  const [f, setF] = useState({ departmentId: 0, visitorName: '', visitorPhone: '', reason: '' });
  const [error, setError] = useState<unknown>(null);
  const waiting = state.emergency.value;
  const officePhone = state.snapshot.value?.rules.rules.officePhone ?? '';
  useEffect(() => {
    ok(state.api.departments.$get()).then((ds) => {
      setDepartments(ds);
    }, setError);
  }, [state]);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void state.pollEmergency().catch(setError), POLL_MS);
    return () => clearInterval(timer);
  }, [waiting?.requestId]);
  // The time waited, counted on screen each second: the guard can tell the visitor, and the office.
  const [, tick] = useState(0);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [waiting?.requestId]);
  const send = async () => {
    setError(null);
    try {
      await state.requestEmergency(f);
    } catch (err) {
      setError(err);
    }
  };
  if (waiting) {
    return (
      <div class="emergency" data-testid="emergency-waiting">
        <h2>{t('emergency.waiting')}</h2>
        <p class="emergency-facts">
          <strong data-testid="emergency-number">{t('emergency.request', { id: waiting.requestId })}</strong>
          <span data-testid="emergency-waited">
            {t('emergency.waited', { time: waited(Date.now() - waiting.sentAt) })}
          </span>
          {officePhone && (
            <a href={`tel:${officePhone.replace(/[^\d+]/g, '')}`} data-testid="office-phone">
              {t('emergency.officePhone', { phone: officePhone })}
            </a>
          )}
        </p>
        <button
          type="button"
          class="big wide"
          onClick={() => {
            state.cancelEmergencyWait();
            onClose();
          }}
        >
          {t('emergency.cancel')}
        </button>
      </div>
    );
  }
  const complete =
    f.visitorName.trim() !== '' && f.visitorPhone.trim() !== '' && f.departmentId > 0 && f.reason.trim() !== '';
  const field = (key: 'visitorName' | 'visitorPhone' | 'reason', label: string, tel = false) => (
    <label class="emergency-field">
      <span>{label}</span>
      <input
        class="search"
        value={f[key]}
        {...(tel ? { type: 'tel', inputMode: 'tel', autoComplete: 'off' } : { autoComplete: 'off' })}
        onInput={(e) => setF({ ...f, [key]: e.currentTarget.value })}
      />
    </label>
  );
  return (
    <div class="emergency">
      <h2>{t('emergency.title')}</h2>
      {field('visitorName', t('emergency.name'))}
      {field('visitorPhone', t('emergency.phone'), true)}
      <label class="emergency-field">
        <span>{t('emergency.department')}</span>
        <select
          class="search"
          value={f.departmentId}
          onChange={(e) => setF({ ...f, departmentId: Number(e.currentTarget.value) })}
        >
          <option value={0} disabled>
            {t('emergency.pickDepartment')}
          </option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {state.lang.value === 'en' && d.nameEn ? d.nameEn : d.name}
            </option>
          ))}
        </select>
      </label>
      {field('reason', t('emergency.reason'))}
      <div class="emergency-quick" role="group" aria-label={t('emergency.quickLabel')}>
        {QUICK_REASONS.map((k) => (
          <button
            key={k}
            type="button"
            class={f.reason === t(k) ? 'chip on' : 'chip'}
            aria-pressed={f.reason === t(k)}
            onClick={() => setF({ ...f, reason: t(k) })}
          >
            {t(k)}
          </button>
        ))}
      </div>
      {error !== null && (
        <p class="error" role="alert">
          {state.errorText(error)}
        </p>
      )}
      <div class="emergency-actions">
        <button type="button" class="big" onClick={onClose}>
          {t('emergency.back')}
        </button>
        <button type="button" class="big primary" disabled={!complete} onClick={() => void send()}>
          {t('emergency.send')}
        </button>
      </div>
    </div>
  );
}
