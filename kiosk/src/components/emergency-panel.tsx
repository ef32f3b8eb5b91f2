import { useEffect, useState } from 'preact/hooks';
import { ok } from '../lib/api';
import { useAppState } from '../lib/state';

const POLL_MS = 3000;

/** A walk-in who must enter: the guard sends an emergency request and waits here for the office. */
export function EmergencyPanel({ onClose }: { onClose: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const [departments, setDepartments] = useState<{ id: number; name: string }[]>([]);
  const [f, setF] = useState({ departmentId: 0, visitorName: '', visitorPhone: '', purpose: '', reason: '' });
  const [error, setError] = useState<unknown>(null);
  const waiting = state.emergency.value;
  useEffect(() => {
    ok(state.api.departments.$get()).then((ds) => {
      setDepartments(ds);
      setF((cur) => ({ ...cur, departmentId: ds[0]?.id ?? 0 }));
    }, setError);
  }, [state]);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void state.pollEmergency().catch(setError), POLL_MS);
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
  const field = (key: 'visitorName' | 'visitorPhone' | 'purpose' | 'reason', label: string) => (
    <label class="emergency-field">
      <span>{label}</span>
      <input class="search" value={f[key]} onInput={(e) => setF({ ...f, [key]: e.currentTarget.value })} />
    </label>
  );
  return (
    <div class="emergency">
      <h2>{t('emergency.title')}</h2>
      {field('visitorName', t('emergency.name'))}
      {field('visitorPhone', t('emergency.phone'))}
      <label class="emergency-field">
        <span>{t('emergency.department')}</span>
        <select
          class="search"
          value={f.departmentId}
          onChange={(e) => setF({ ...f, departmentId: Number(e.currentTarget.value) })}
        >
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      {field('purpose', t('emergency.purpose'))}
      {field('reason', t('emergency.reason'))}
      {error !== null && (
        <p class="error" role="alert">
          {state.errorText(error)}
        </p>
      )}
      <button type="button" class="big primary wide" onClick={() => void send()}>
        {t('emergency.send')}
      </button>
      <button type="button" class="big wide" onClick={onClose}>
        {t('emergency.cancel')}
      </button>
    </div>
  );
}
