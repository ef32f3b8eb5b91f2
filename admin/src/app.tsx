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
const RequestsPage = lazy(() => import('./pages/requests').then((m) => m.RequestsPage));
const RequestNewPage = lazy(() => import('./pages/request-new').then((m) => m.RequestNewPage));
const RequestDetailPage = lazy(() => import('./pages/request-detail').then((m) => m.RequestDetailPage));
const ReviewPage = lazy(() => import('./pages/review').then((m) => m.ReviewPage));
const CampusesPage = lazy(() => import('./pages/campuses').then((m) => m.CampusesPage));
const DevicesPage = lazy(() => import('./pages/devices').then((m) => m.DevicesPage));
const LivePage = lazy(() => import('./pages/live').then((m) => m.LivePage));
const PresencePage = lazy(() => import('./pages/presence').then((m) => m.PresencePage));
const ReportsPage = lazy(() => import('./pages/reports').then((m) => m.ReportsPage));
const TracingPage = lazy(() => import('./pages/tracing').then((m) => m.TracingPage));
const RulesPage = lazy(() => import('./pages/rules').then((m) => m.RulesPage));
const MembersPage = lazy(() => import('./pages/members').then((m) => m.MembersPage));
const LeavesPage = lazy(() => import('./pages/leaves').then((m) => m.LeavesPage));
const NotificationsPage = lazy(() => import('./pages/notifications').then((m) => m.NotificationsPage));

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
                <Route path="/admin/campuses" component={CampusesPage} />
                <Route path="/admin/gates" component={GatesPage} />
                <Route path="/admin/departments" component={DepartmentsPage} />
                <Route path="/admin/tokens" component={TokensPage} />
                <Route path="/admin/audit" component={AuditPage} />
                <Route path="/admin/account" component={AccountPage} />
                <Route path="/admin/requests" component={RequestsPage} />
                <Route path="/admin/requests/new" component={RequestNewPage} />
                <Route path="/admin/requests/:id" component={RequestDetailPage} />
                <Route path="/admin/requests/:id/edit" component={RequestNewPage} />
                <Route path="/admin/review" component={ReviewPage} />
                <Route path="/admin/devices" component={DevicesPage} />
                <Route path="/admin/live" component={LivePage} />
                <Route path="/admin/presence" component={PresencePage} />
                <Route path="/admin/reports" component={ReportsPage} />
                <Route path="/admin/tracing" component={TracingPage} />
                <Route path="/admin/rules" component={RulesPage} />
                <Route path="/admin/notifications" component={NotificationsPage} />
                <Route path="/admin/members" component={MembersPage} />
                <Route path="/admin/leaves" component={LeavesPage} />
                <Route default component={HomePage} />
              </Router>
            </ErrorBoundary>
          </Layout>
        </LocationProvider>
      )}
    </AppStateContext.Provider>
  );
}
