import { LocationProvider, Route, Router } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { EnrollPage } from './pages/enroll';
import { InsecurePage } from './pages/insecure';
import { GatePage } from './pages/gate';
import { ShiftPage } from './pages/shift';
import { AppStateContext, type AppState } from './lib/state';

const SNAPSHOT_EVERY_MS = 60_000;
const DRAIN_EVERY_MS = 10_000;

/** Composes the kiosk: an enrolled tablet, a guard on shift, then the gate. */
export function App({ state, secure = window.isSecureContext }: { state: AppState; secure?: boolean }) {
  const enrolled = state.device.value !== null;
  useEffect(() => {
    if (!enrolled || !secure) return;
    // Asked again at every start: the answer rides on the snapshot pull to the office's tablet list.
    void state.persistStorage().then(() => state.refreshSnapshot());
    void state.drain({ force: true });
    const snap = setInterval(() => void state.refreshSnapshot(), SNAPSHOT_EVERY_MS);
    const drain = setInterval(() => void state.drain(), DRAIN_EVERY_MS);
    const online = () => void state.drain({ force: true });
    addEventListener('online', online);
    return () => {
      clearInterval(snap);
      clearInterval(drain);
      removeEventListener('online', online);
    };
  }, [state, enrolled, secure]);
  // The tab says which gate and which step: 北门 · Gatehouse 门岗, or the enrollment.
  const t = state.t.value;
  const device = state.device.value;
  const gate = device ? (state.lang.value === 'en' ? device.gate.nameEn || device.gate.name : device.gate.name) : null;
  useEffect(() => {
    document.title = gate ? `${gate} · ${t('app.title')}` : `${t('enroll.title')} · ${t('app.title')}`;
  }, [gate, t]);
  return (
    <AppStateContext.Provider value={state}>
      {!secure ? (
        <InsecurePage />
      ) : !enrolled ? (
        <EnrollPage />
      ) : !state.guard.value ? (
        <ShiftPage />
      ) : (
        <LocationProvider scope="/kiosk">
          <Router>
            <Route path="/kiosk/" component={GatePage} />
            <Route default component={GatePage} />
          </Router>
        </LocationProvider>
      )}
    </AppStateContext.Provider>
  );
}
