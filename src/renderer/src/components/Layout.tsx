import { useEffect, useState, type ReactNode } from 'react';
import { useEscape } from '../lib/keys';
import { applyTheme, savedTheme, THEMES, type Theme } from '../lib/theme';
import { Link, useLocation } from 'wouter';
import { accountRoutes } from '../../../shared/api/accounts';
import { call } from '../api/client';
import { useAlarms } from '../api/alarms';
import { UnitsPicker } from './UnitsPicker';
import { session } from '../api/session';

/** Ends the token on the station too (so a copy of it stops working), then forgets it here. */
const signOut = (): void => {
  void call(accountRoutes.signOut, {})
    .catch(() => undefined)
    .finally(() => session.signOut());
};
import { useHealth, useMe, useSettings } from '../api/queries';

/** Pages in the menu; admin-only ones are not shown to engineers (they could only be refused there). */
const NAV: readonly (readonly [href: string, label: string, adminOnly?: boolean])[] = [
  ['/', 'Overview'],
  ['/telemetry', 'Telemetry'],
  ['/ingest', 'Ingest'],
  ['/export', 'Export'],
  ['/anomalies', 'Anomalies'],
  ['/batches', 'Batches'],
  ['/reports', 'Reports'],
  ['/field', 'Field devices'],
  ['/admin', 'Admin', true],
  ['/settings', 'Settings', true],
];

type Component = { ok?: boolean; backlog?: number; status?: string; configured?: boolean; enabled?: boolean; error?: string; mode?: string };

/** One status pill: colour only when something needs attention. */
function Pill({ label, state, detail }: { label: string; state: 'ok' | 'warn' | 'alarm' | 'off'; detail: string }) {
  return (
    <span className={`pill pill-${state}`} title={detail}>
      <span className="dot" aria-hidden="true" />
      <span className="pill-label">{label}</span> <span className="pill-detail">{detail}</span>
    </span>
  );
}

function componentPill(name: string, c: Component | undefined) {
  if (!c) return <Pill key={name} label={name} state="off" detail="not used" />;
  if (c.enabled === false || c.configured === false || c.mode === 'memory' || c.mode === 'local')
    return <Pill key={name} label={name} state="off" detail={c.mode ?? 'off'} />;
  return <Pill key={name} label={name} state={c.ok ? 'ok' : 'alarm'} detail={c.ok ? 'ok' : (c.error ?? 'down')} />;
}

/** Open alarms nobody has acknowledged yet, as a red banner in the top bar that leads to them. */
function AlarmBanner() {
  const alarms = useAlarms({ state: 'open', acknowledged: 'false', limit: '1000' }, 10_000);
  const count = alarms.data?.length ?? 0;
  if (!count) return null;
  return (
    <Link href="/anomalies" className="alarm-banner" aria-label={`${count} unacknowledged alarm${count === 1 ? '' : 's'}: open Anomalies`}>
      {count >= 1000 ? '1,000+' : count.toLocaleString()} unacknowledged alarm{count === 1 ? '' : 's'}
    </Link>
  );
}

function StatusBar() {
  const health = useHealth();
  const me = useMe();
  const settings = useSettings(me.data?.role === 'admin');
  const h = health.data;
  if (health.isError) return <Pill label="Station" state="alarm" detail="not answering" />;
  if (!h) return <span className="muted">checking…</span>;
  const influx = (h.influx ?? h.forwarder) as (Component & { backlog?: number; pending_deletes?: number }) | undefined;
  const lan = settings.data?.running;
  return (
    <>
      <Pill label="Database" state={h.database === 'ok' ? 'ok' : 'alarm'} detail={String(h.database ?? 'unknown')} />
      {componentPill('Redis', h.redis as Component | undefined)}
      {influx && influx.configured !== false ? (
        <Pill
          label="InfluxDB"
          state={!influx.ok ? 'alarm' : (influx.backlog ?? 0) > 10_000 ? 'warn' : 'ok'}
          detail={
            influx.backlog !== undefined
              ? `backlog ${influx.backlog}${influx.pending_deletes ? `, ${influx.pending_deletes} deletes` : ''}`
              : influx.ok
                ? 'ok'
                : 'down'
          }
        />
      ) : (
        <Pill label="InfluxDB" state="off" detail="not used" />
      )}
      {lan ? (
        <Pill
          label="LAN"
          state={lan.lan_access ? 'ok' : 'off'}
          detail={lan.lan_access ? (settings.data?.device_urls[0] ?? `port ${lan.port}`) : 'off (this computer only)'}
        />
      ) : null}
    </>
  );
}

function ThemePicker() {
  const [theme, setTheme] = useState<Theme>(savedTheme);
  return (
    <label className="theme-picker">
      <span className="inline-label">Theme</span>
      <select
        value={theme}
        onChange={(e) => {
          const t = e.target.value as Theme;
          applyTheme(t);
          setTheme(t);
        }}
      >
        {THEMES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const [location] = useLocation();
  const me = useMe();
  // Under 1000 px the menu folds away behind a Menu button; choosing a page or Esc folds it again.
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => setNavOpen(false), [location]);
  useEscape(() => setNavOpen(false));
  return (
    <div className={`shell${navOpen ? ' nav-open' : ''}`}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <nav className="sidenav" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          SMART Oilfield
        </div>
        <ul>
          {NAV.filter(([, , adminOnly]) => !adminOnly || me.data?.role === 'admin').map(([href, label]) => {
            // the printable reports live one level deep (/run-ticket, /well-report) but belong to Reports
            const active = href === '/' ? location === '/' : location.startsWith(href) || (href === '/reports' && /^\/(run-ticket|well-report)/.test(location));
            return (
              <li key={href}>
                <Link href={href} aria-current={active ? 'page' : undefined} className={active ? 'active' : undefined}>
                  {label}
                </Link>
              </li>
            );
          })}
        </ul>
        <a className="nav-foot" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
      </nav>
      <header className="topbar">
        <button type="button" className="btn btn-small menu-toggle" aria-expanded={navOpen} onClick={() => setNavOpen(!navOpen)}>
          Menu
        </button>
        <div className="status" aria-label="Station status">
          <StatusBar />
        </div>
        <AlarmBanner />
        <UnitsPicker />
        <ThemePicker />
        <div className="user">
          {me.data ? (
            <span>
              <span className="muted">Signed in as</span> <strong>{me.data.subject}</strong> <span className="role">{me.data.role}</span>
            </span>
          ) : null}
          <button type="button" className="btn btn-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
