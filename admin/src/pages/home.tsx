import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';

/** What one line of the home says: a count that needs this person, and where to act on it. */
interface Need {
  key: MessageKey;
  n: number;
  href: string;
}

/** Counts from the lists each role works from; a list longer than one page counts as that page. */
async function needsOf(role: string, deptApprover: boolean): Promise<Need[]> {
  const count = async (p: Promise<{ items: unknown[] }>) => (await p).items.length;
  if (role === 'office') {
    const [normal, group, alerts] = await Promise.all([
      count(ok(api.review.queue.$get({ query: { queue: 'normal', limit: '500' } }))),
      count(ok(api.review.queue.$get({ query: { queue: 'group', limit: '500' } }))),
      ok(api.alerts.$get()),
    ]);
    return [
      { key: 'home.reviewPending', n: normal + group, href: '/admin/review' },
      { key: 'home.openAlerts', n: alerts.filter((a) => !a.acknowledged).length, href: '/admin/live' },
    ];
  }
  if (role === 'filer') {
    const [review, dept] = await Promise.all([
      count(ok(api.requests.$get({ query: { status: 'needs_review', limit: '500' } }))),
      deptApprover ? count(ok(api.requests.$get({ query: { status: 'pending_dept', limit: '500' } }))) : 0,
    ]);
    return [
      ...(deptApprover
        ? [{ key: 'home.deptPending' as const, n: dept, href: '/admin/requests?status=pending_dept' }]
        : []),
      { key: 'home.attention', n: review, href: '/admin/requests?status=needs_review' },
    ];
  }
  return [];
}

/** Each role's home: who is signed in, and what needs them now (or that nothing does). */
export function HomePage() {
  const state = useAppState();
  const t = state.t.value;
  const me = state.me.value;
  const needs = useResource(
    () => (me ? needsOf(me.role, me.deptApprover) : Promise.resolve([])),
    [me?.role, me?.deptApprover],
  );
  if (!me) return null;
  const open = (needs.data ?? []).filter((n) => n.n > 0);
  return (
    <section class="card">
      <h1>{t('home.welcome', { name: me.displayName })}</h1>
      <p data-role={me.role}>{t('home.role', { role: t(`role.${me.role}`) })}</p>
      <p>{t(`home.hint.${me.role}`)}</p>
      {needs.data && needs.data.length > 0 && (
        <>
          <h2>{t('home.needsYou')}</h2>
          {open.length === 0 ? (
            <p class="empty" data-testid="nothing-needed">
              {t('home.nothing')}
            </p>
          ) : (
            <ul class="needs" data-testid="needs">
              {open.map((n) => (
                <li key={n.key}>
                  <a href={n.href}>{t(n.key, { n: n.n })}</a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
