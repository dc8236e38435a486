import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { Route, Switch } from 'wouter';
import { api } from './api/client';
import { session } from './api/session';
import { Layout } from './components/Layout';
import { Admin } from './pages/Admin';
import { Anomalies } from './pages/Anomalies';
import { Batches } from './pages/Batches';
import { Export } from './pages/Export';
import { Ingest } from './pages/Ingest';
import { Overview } from './pages/Overview';
import { Settings } from './pages/Settings';
import { CreateAdmin, SignIn } from './pages/SignIn';
import { Telemetry } from './pages/Telemetry';

export function App() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const qc = useQueryClient();
  const setup = useQuery({
    queryKey: ['setup'],
    // A station without the setup endpoint simply has no first-run screen.
    queryFn: () => api<{ needs_admin: boolean }>('/api/setup').catch(() => ({ needs_admin: false })),
    enabled: !token,
  });

  if (!token) {
    if (setup.isPending) return <main className="auth-page" aria-busy="true" />;
    if (setup.data?.needs_admin) return <CreateAdmin onDone={() => qc.invalidateQueries({ queryKey: ['setup'] })} />;
    return <SignIn />;
  }
  return (
    <Layout>
      <Switch>
        <Route path="/" component={Overview} />
        <Route path="/telemetry" component={Telemetry} />
        <Route path="/ingest" component={Ingest} />
        <Route path="/export" component={Export} />
        <Route path="/anomalies" component={Anomalies} />
        <Route path="/batches" component={Batches} />
        <Route path="/admin" component={Admin} />
        <Route path="/settings" component={Settings} />
        <Route>
          <p>This page does not exist. Choose a section on the left.</p>
        </Route>
      </Switch>
    </Layout>
  );
}
