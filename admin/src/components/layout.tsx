import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';
import type { Role } from '../../../server/domain/roles';

const NAV: { href: string; key: MessageKey; roles: Role[] }[] = [
  { href: '/admin/', key: 'nav.home', roles: ['admin', 'office', 'filer', 'guard', 'approver'] },
  { href: '/admin/leaves', key: 'nav.leaves', roles: ['approver', 'office'] },
  { href: '/admin/members', key: 'nav.members', roles: ['office', 'approver'] },
  { href: '/admin/requests', key: 'nav.requests', roles: ['filer', 'office'] },
  { href: '/admin/requests/new', key: 'nav.newRequest', roles: ['filer'] },
  { href: '/admin/review', key: 'nav.review', roles: ['office'] },
  { href: '/admin/live', key: 'nav.live', roles: ['office'] },
  { href: '/admin/presence', key: 'nav.presence', roles: ['office'] },
  { href: '/admin/reports', key: 'nav.reports', roles: ['office'] },
  { href: '/admin/tracing', key: 'nav.tracing', roles: ['office'] },
  { href: '/admin/rules', key: 'nav.rules', roles: ['office'] },
  { href: '/admin/devices', key: 'nav.devices', roles: ['office', 'admin'] },
  { href: '/admin/notifications', key: 'nav.notifications', roles: ['office', 'admin'] },
  { href: '/admin/users', key: 'nav.users', roles: ['admin'] },
  { href: '/admin/campuses', key: 'nav.campuses', roles: ['admin'] },
  { href: '/admin/gates', key: 'nav.gates', roles: ['admin'] },
  { href: '/admin/departments', key: 'nav.departments', roles: ['admin'] },
  { href: '/admin/tokens', key: 'nav.tokens', roles: ['admin'] },
  { href: '/admin/audit', key: 'nav.audit', roles: ['admin', 'office'] },
  { href: '/admin/account', key: 'nav.account', roles: ['admin', 'office', 'filer', 'guard', 'approver'] },
];

/** The page a path belongs to: its own entry, else the closest one above it (/admin/requests/12 → 来访备案). */
const pageOf = (path: string) =>
  NAV.filter((n) => path === n.href || (n.href !== '/admin/' && path.startsWith(`${n.href}/`))).sort(
    (a, b) => b.href.length - a.href.length,
  )[0] ?? NAV[0]!;

export function Layout({ children }: { children: ComponentChildren }) {
  const state = useAppState();
  const t = state.t.value;
  const me = state.me.value;
  const { path } = useLocation();
  const current = pageOf(path);
  // Each page its own title (tabs, history, a screen reader's first words), in the reader's language.
  useEffect(() => {
    document.title = `${t(current.key)} · ${t('app.title')}`;
  }, [current, t]);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  if (!me) return null;
  return (
    <div class="shell">
      <header class="topbar">
        <strong class="brand">{t('app.title')}</strong>
        {/* On a phone or a narrow window the navigation folds into a menu; the current page stays named. */}
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span> {t('nav.menu')}
        </button>
        <span class="current-page" aria-hidden="true">
          {t(current.key)}
        </span>
        <nav aria-label="main" id="main-nav" class={menuOpen ? 'open' : undefined}>
          {NAV.filter((n) => n.roles.includes(me.role)).map((n) => (
            <a key={n.href} href={n.href} aria-current={n === current ? 'page' : undefined}>
              {t(n.key)}
            </a>
          ))}
        </nav>
        <span class="who">
          {me.displayName} · {t(`role.${me.role}`)}
        </span>
        <button
          type="button"
          class="link"
          lang={state.lang.value === 'zh' ? 'en' : 'zh-CN'}
          onClick={() => state.setLang(state.lang.value === 'zh' ? 'en' : 'zh')}
        >
          {t('lang.switch')}
        </button>
        <button type="button" class="link" onClick={() => void state.logout()}>
          {t('nav.logout')}
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}
