import { useState } from 'preact/hooks';
import { Keypad } from '../components/keypad';
import { useAppState } from '../lib/state';
import { LangSwitch } from '../components/lang-switch';

export function EnrollPage() {
  const state = useAppState();
  const t = state.t.value;
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const key = (k: string) => setCode(k === '⌫' ? code.slice(0, -1) : (code + k).slice(0, 6));
  const submit = async () => {
    setError(null);
    try {
      await state.enroll(code);
    } catch (err) {
      setError(err);
      setCode('');
    }
  };
  return (
    <main class="kiosk-login">
      <div class="panel">
        {/* The language switch up top: on a 1280×800 tablet it is in view before anything is typed. */}
        <header class="panel-head">
          <h1>{t('enroll.title')}</h1>
          <LangSwitch class="big lang-switch" />
        </header>
        <p>{t('enroll.hint')}</p>
        <output class="code-display" aria-label={t('enroll.title')}>
          {code.padEnd(6, '·')}
        </output>
        <Keypad onKey={key} label={t('enroll.title')} />
        {error !== null && (
          <p class="error" role="alert">
            {state.errorText(error)}
          </p>
        )}
        <button type="button" class="big primary" disabled={code.length !== 6} onClick={() => void submit()}>
          {t('enroll.submit')}
        </button>
      </div>
    </main>
  );
}
