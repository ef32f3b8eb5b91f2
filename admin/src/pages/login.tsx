import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, ok } from '../lib/api';
import { useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';

export function LoginPage() {
  const state = useAppState();
  const t = state.t.value;
  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.title')}`;
  }, [t]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      state.me.value = await ok(api.auth.login.$post({ json: { username, password } }));
    });
  };
  return (
    <main class="login">
      <form onSubmit={submit} class="card" aria-labelledby="login-title">
        <h1 id="login-title">{t('app.title')}</h1>
        <Field label={t('login.username')} name="username" error={action.error}>
          <input
            name="username"
            autocomplete="username"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            required
          />
        </Field>
        <Field label={t('login.password')} name="password" error={action.error}>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </Field>
        <ErrorBanner error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          {t('login.submit')}
        </button>
        <button type="button" class="link" onClick={() => state.setLang(state.lang.value === 'zh' ? 'en' : 'zh')}>
          {t('lang.switch')}
        </button>
      </form>
    </main>
  );
}
