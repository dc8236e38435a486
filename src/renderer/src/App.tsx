import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { Route, Switch } from 'wouter';
import { accountRoutes } from '../../shared/api/accounts';
import { call } from './api/client';
import { session } from './api/session';
import { Layout } from './components/Layout';
import { CreateAdmin, SignIn } from './pages/SignIn';

// Each page is its own chunk (all bundled, nothing fetched from outside): sign-in and the first
// page parse only what they use, and the charting library loads with the pages that draw charts.
const Overview = lazy(() => import('./pages/Overview').then((m) => ({ default: m.Overview })));
const Telemetry = lazy(() => import('./pages/Telemetry').then((m) => ({ default: m.Telemetry })));
const Ingest = lazy(() => import('./pages/Ingest').then((m) => ({ default: m.Ingest })));
const Export = lazy(() => import('./pages/Export').then((m) => ({ default: m.Export })));
const Anomalies = lazy(() => import('./pages/Anomalies').then((m) => ({ default: m.Anomalies })));
const Batches = lazy(() => import('./pages/Batches').then((m) => ({ default: m.Batches })));
const Admin = lazy(() => import('./pages/Admin').then((m) => ({ default: m.Admin })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));
const Reports = lazy(() => import('./pages/reports/Reports').then((m) => ({ default: m.Reports })));
const RunTicket = lazy(() => import('./pages/reports/RunTicket').then((m) => ({ default: m.RunTicket })));
const WellDay = lazy(() => import('./pages/reports/WellDay').then((m) => ({ default: m.WellDay })));
const FieldDevices = lazy(() => import('./pages/FieldDevices').then((m) => ({ default: m.FieldDevices })));

export function App() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const qc = useQueryClient();
  const setup = useQuery({
    queryKey: ['setup'],
    // A station without the setup endpoint simply has no first-run screen.
    queryFn: () => call(accountRoutes.setupStatus, {}).catch(() => ({ needs_admin: false })),
    enabled: !token,
  });

  if (!token) {
    if (setup.isPending) return <main className="auth-page" aria-busy="true" />;
    if (setup.data?.needs_admin) return <CreateAdmin onDone={() => qc.invalidateQueries({ queryKey: ['setup'] })} />;
    return <SignIn />;
  }
  return (
    <Layout>
      <Suspense
        fallback={
          <p className="muted" aria-busy="true">
            Loading…
          </p>
        }
      >
        <Switch>
          <Route path="/" component={Overview} />
          <Route path="/telemetry" component={Telemetry} />
          <Route path="/ingest" component={Ingest} />
          <Route path="/export" component={Export} />
          <Route path="/anomalies" component={Anomalies} />
          <Route path="/batches" component={Batches} />
          <Route path="/field" component={FieldDevices} />
          <Route path="/reports" component={Reports} />
          {/* one level deep: the built index.html loads its assets relative to the page, so a reload of /a/b would miss them */}
          <Route path="/run-ticket" component={RunTicket} />
          <Route path="/well-report" component={WellDay} />
          <Route path="/admin" component={Admin} />
          <Route path="/settings" component={Settings} />
          <Route>
            <p>This page does not exist. Choose a section on the left.</p>
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}
