import { useState } from 'preact/hooks';
import { useAppState } from '../lib/state';

export function LoginPage() {
  const state = useAppState();
  const t = state.t.value;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await state.signIn(username, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="kiosk-login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <label>
          <span>{t('login.username')}</span>
          <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        {error !== null && <p class="error" role="alert">{state.errorText(error)}</p>}
        <button type="submit" class="big primary" disabled={busy}>{t('login.submit')}</button>
        <button type="button" class="big" onClick={() => state.setLang(state.lang.value === 'zh' ? 'en' : 'zh')}>{t('lang.switch')}</button>
      </form>
    </main>
  );
}
