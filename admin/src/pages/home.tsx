import { useAppState } from '../lib/state';

export function HomePage() {
  const state = useAppState();
  const t = state.t.value;
  const me = state.me.value;
  if (!me) return null;
  return (
    <section class="card">
      <h1>{t('home.welcome', { name: me.displayName })}</h1>
      <p data-role={me.role}>{t('home.role', { role: t(`role.${me.role}`) })}</p>
      <p>{t(`home.hint.${me.role}`)}</p>
    </section>
  );
}
