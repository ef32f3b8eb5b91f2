import { useEffect, useMemo, useState } from 'preact/hooks';
import { QUICK_REFUSALS } from '../../../server/domain/admission';
import { fromBase64Url, warmUpVerifier } from '../../../server/domain/pass';
import { findPasses } from '../lib/lookup';
import { EmergencyPanel } from '../components/emergency-panel';
import { EntrantCard } from '../components/entrant-card';
import { ScannerView } from '../components/scanner-view';
import { StatusBar } from '../components/status-bar';
import { Verdict } from '../components/verdict';
import { IDLE_MS, useAppState } from '../lib/state';

/** The gate: camera and quick actions when idle; the visitor's checks; the verdict full screen. */
export function GatePage() {
  const state = useAppState();
  const t = state.t.value;
  const e = state.entrant.value;
  const [query, setQuery] = useState('');
  const [emergencyOpen, setEmergencyOpen] = useState(false);
  const [lastTouch, setLastTouch] = useState(Date.now());
  const notice = state.notice.value;
  // The first scan should not pay for the cryptography's first run (point tables, compilation): do it now.
  useEffect(() => {
    const timer = setTimeout(() => warmUpVerifier(), 0);
    return () => clearTimeout(timer);
  }, []);
  useEffect(() => {
    if (e) setEmergencyOpen(false); // the office answered: the usual checks take over
  }, [e !== null]);

  // 60 s without a touch clears the entrant, so no visitor data stays on screen; a rest timer waits.
  useEffect(() => {
    const timer = setInterval(() => {
      const cur = state.entrant.value;
      if (cur && cur.decision.next !== 'rest' && Date.now() - Math.max(lastTouch, cur.startedAt) > IDLE_MS)
        state.next();
      if (state.notice.value && Date.now() - state.notice.value.at > 4000) state.notice.value = null;
    }, 1000);
    return () => clearInterval(timer);
  }, [lastTouch]);

  const snapshot = state.snapshot.value;
  const lookupKey = useMemo(
    () => (snapshot?.nameLookupKey ? fromBase64Url(snapshot.nameLookupKey) : null),
    [snapshot?.nameLookupKey],
  );
  const matches = useMemo(
    () => findPasses(snapshot?.passes ?? [], query, lookupKey, { leaving: state.exitMode.value }),
    [snapshot?.passes, query, lookupKey, state.exitMode.value],
  );

  // A member whose phone is dead: found by their exact number.
  const member = query.trim().length >= 2 ? state.findMemberByNumber(query) : null;

  return (
    <div class="kiosk" onPointerDown={() => setLastTouch(Date.now())}>
      <StatusBar />
      {e && e.decision.verdict !== 'incomplete' ? (
        <Verdict e={e} />
      ) : (
        <main class="kiosk-main">
          <div class="scan-col">
            <ScannerView onCode={(text) => state.onScan(text)} mode={state.exitMode.value ? 'exit' : 'entry'} />
            {state.exitMode.value && <p class="exit-banner">{t('scan.exitMode')}</p>}
          </div>
          <aside class="kiosk-side">
            {notice && (
              <p class="notice" role="status" data-testid="notice">
                {t(notice.key, notice.values)}
              </p>
            )}
            {e ? (
              <EntrantCard e={e} />
            ) : emergencyOpen || state.emergency.value ? (
              <EmergencyPanel onClose={() => setEmergencyOpen(false)} />
            ) : (
              <>
                <h2>{t('quick.title')}</h2>
                <div class="quick">
                  {QUICK_REFUSALS.map((q) => (
                    <button key={q} type="button" class="big quick-refuse" onClick={() => state.quickRefuse(q)}>
                      {t(`quick.${q}`)}
                    </button>
                  ))}
                </div>
                <button
                  type="button"
                  class={state.exitMode.value ? 'big primary wide' : 'big wide'}
                  onClick={() => (state.exitMode.value = !state.exitMode.value)}
                >
                  {state.exitMode.value ? t('exit.done') : t('exit.toggle')}
                </button>
                <button type="button" class="big wide" onClick={() => setEmergencyOpen(true)}>
                  {t('emergency.open')}
                </button>
                <h2>{t('manual.title')}</h2>
                <input
                  class="search"
                  type="search"
                  aria-label={t('manual.title')}
                  placeholder={t('manual.placeholder')}
                  value={query}
                  onInput={(ev) => setQuery(ev.currentTarget.value)}
                />
                {query.trim().length >= 2 && !member && matches.length === 0 && (
                  <p class="notice" role="status" data-testid="no-match">
                    {t('manual.noMatch')}
                  </p>
                )}
                <ul class="matches">
                  {member && (
                    <li key={`m${member.id}`}>
                      <button
                        type="button"
                        class="big wide"
                        data-testid="member-match"
                        onClick={() => {
                          setQuery('');
                          state.pickMember(member.number);
                        }}
                      >
                        {t('manual.member', {
                          name: member.name,
                          number: member.number,
                          type: t(`memberType.${member.type}`),
                        })}
                      </button>
                    </li>
                  )}
                  {matches.map((p) => (
                    <li key={p.id}>
                      <button
                        type="button"
                        class="big wide"
                        onClick={() => {
                          setQuery('');
                          state.pickManually(p.id);
                        }}
                      >
                        {state.exitMode.value
                          ? t('manual.exitFor', { who: `${p.visitor.name} · ****${p.visitor.idLast4}` })
                          : `${p.visitor.name} · ****${p.visitor.idLast4} · ${p.request.department}`}
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </aside>
        </main>
      )}
    </div>
  );
}
