import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { api, ok } from '../lib/api';
import { useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';

/** Where my notifications go and in which language (server/notifications). */
function NotifyCard() {
  const state = useAppState();
  const t = state.t.value;
  const me = state.me.value;
  const [email, setEmail] = useState(me?.email ?? '');
  const [locale, setLocale] = useState<'zh' | 'en'>(me?.locale ?? 'zh');
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void action.run(async () => {
      state.me.value = await ok(api.auth.me.$patch({ json: { email: email.trim() || null, locale } }));
      setDone(true);
    });
  };
  return (
    <form class="card narrow" onSubmit={submit} data-form="notify">
      <h2>{t('account.notify')}</h2>
      <Field label={t('account.email')} name="email" error={action.error}>
        <input
          type="email"
          name="email"
          autocomplete="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </Field>
      <Field label={t('account.locale')} name="locale" error={action.error}>
        <select name="locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value as 'zh' | 'en')}>
          <option value="zh">{t('lang.zh')}</option>
          <option value="en">{t('lang.en')}</option>
        </select>
      </Field>
      <ErrorBanner error={action.error} />
      {done && (
        <p class="ok" role="status">
          {t('account.notifySaved')}
        </p>
      )}
      <button type="submit" class="primary" disabled={action.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}

export function AccountPage() {
  const state = useAppState();
  const t = state.t.value;
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void action.run(async () => {
      await ok(api.auth.password.$post({ json: { currentPassword, newPassword } }));
      setCurrent('');
      setNew('');
      setDone(true);
    });
  };
  return (
    <>
      <form class="card narrow" onSubmit={submit}>
        <h1>{t('account.title')}</h1>
        <Field label={t('account.current')} name="currentPassword" error={action.error}>
          <input
            type="password"
            autocomplete="current-password"
            value={currentPassword}
            onInput={(e) => setCurrent(e.currentTarget.value)}
            required
          />
        </Field>
        <Field label={t('account.new')} name="newPassword" error={action.error}>
          <input
            type="password"
            autocomplete="new-password"
            minLength={10}
            value={newPassword}
            onInput={(e) => setNew(e.currentTarget.value)}
            required
          />
        </Field>
        <ErrorBanner error={action.error} />
        {done && (
          <p class="ok" role="status">
            {t('account.changed')}
          </p>
        )}
        <button type="submit" class="primary" disabled={action.busy}>
          {t('account.change')}
        </button>
      </form>
      <NotifyCard />
    </>
  );
}
