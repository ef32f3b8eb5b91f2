import { ErrorBoundary, LocationProvider, Route, Router, lazy } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { Layout } from './components/layout';
import { LoginPage } from './pages/login';
import { HomePage } from './pages/home';
import { AppStateContext, type AppState } from './lib/state';

const UsersPage = lazy(() => import('./pages/users').then((m) => m.UsersPage));
const GatesPage = lazy(() => import('./pages/gates').then((m) => m.GatesPage));
const DepartmentsPage = lazy(() => import('./pages/departments').then((m) => m.DepartmentsPage));
const TokensPage = lazy(() => import('./pages/tokens').then((m) => m.TokensPage));
const AuditPage = lazy(() => import('./pages/audit').then((m) => m.AuditPage));
const AccountPage = lazy(() => import('./pages/account').then((m) => m.AccountPage));

/** Composes the app: state, routing, and the sign-in gate. */
export function App({ state }: { state: AppState }) {
  useEffect(() => {
    void state.refreshMe();
  }, [state]);
  const me = state.me.value;
  return (
    <AppStateContext.Provider value={state}>
      {me === undefined ? (
        <p class="loading">{state.t.value('common.loading')}</p>
      ) : me === null ? (
        <LoginPage />
      ) : (
        <LocationProvider scope="/admin">
          <Layout>
            <ErrorBoundary>
              <Router>
                <Route path="/admin/" component={HomePage} />
                <Route path="/admin/users" component={UsersPage} />
                <Route path="/admin/gates" component={GatesPage} />
                <Route path="/admin/departments" component={DepartmentsPage} />
                <Route path="/admin/tokens" component={TokensPage} />
                <Route path="/admin/audit" component={AuditPage} />
                <Route path="/admin/account" component={AccountPage} />
                <Route default component={HomePage} />
              </Router>
            </ErrorBoundary>
          </Layout>
        </LocationProvider>
      )}
    </AppStateContext.Provider>
  );
}
