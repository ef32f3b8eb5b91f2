import { useState } from 'preact/hooks';
import { Keypad } from '../components/keypad';
import { useAppState, type Guard } from '../lib/state';
import { LangSwitch } from '../components/lang-switch';

/** Guards start their shift on the enrolled tablet: tap your name, enter your PIN. */
export function ShiftPage() {
  const state = useAppState();
  const t = state.t.value;
  const [who, setWho] = useState<Guard | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<unknown>(null);
  const gate = state.device.value?.gate;
  const gateName = gate ? (state.lang.value === 'en' && gate.nameEn ? gate.nameEn : gate.name) : '';
  const start = async () => {
    if (!who) return;
    setError(null);
    try {
      await state.startShift(who.id, pin);
    } catch (err) {
      setError(err);
      setPin('');
    }
  };
  return (
    <main class="kiosk-login">
      <div class="panel">
        {!who ? (
          <>
            <h1>{t('shift.title', { gate: gateName })}</h1>
            <div class="guards">
              {state.snapshot.value?.guards.map((g) => (
                <button key={g.id} type="button" class="big" onClick={() => setWho(g)}>
                  {g.displayName}
                </button>
              ))}
            </div>
          </>
        ) : (
          <>
            <h1>{t('shift.pin', { name: who.displayName })}</h1>
            <output class="code-display" aria-label="PIN">
              {'●'.repeat(pin.length).padEnd(4, '·')}
            </output>
            <Keypad onKey={(k) => setPin(k === '⌫' ? pin.slice(0, -1) : (pin + k).slice(0, 8))} label="PIN" />
            {error !== null && (
              <p class="error" role="alert">
                {state.errorText(error)}
              </p>
            )}
            <button type="button" class="big primary" disabled={pin.length < 4} onClick={() => void start()}>
              {t('shift.start')}
            </button>
            <button
              type="button"
              class="big"
              onClick={() => {
                setWho(null);
                setPin('');
              }}
            >
              {t('shift.back')}
            </button>
          </>
        )}
        <LangSwitch />
      </div>
    </main>
  );
}
