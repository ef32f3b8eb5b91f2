import { LocationProvider, Route, Router } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { GatePage } from './pages/gate';
import { LoginPage } from './pages/login';
import { AppStateContext, type AppState } from './lib/state';

/** Composes the kiosk: state, routing, and the guard sign-in gate. */
export function App({ state }: { state: AppState }) {
  useEffect(() => {
    void state.refreshMe();
  }, [state]);
  const me = state.me.value;
  return (
    <AppStateContext.Provider value={state}>
      {me === undefined ? null : me === null ? (
        <LoginPage />
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
