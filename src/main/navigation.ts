import { externalUrl, isTrustedOrigin } from './url-policy';

/**
 * What the window may do with a URL: stay (the station's own pages), hand it to the user's
 * browser (an http/https link elsewhere), or nothing at all.
 */
export type NavigationDecision = { action: 'allow' } | { action: 'external'; url: string } | { action: 'deny' };

export function decideNavigation(raw: unknown, trustedOrigins: readonly string[]): NavigationDecision {
  if (isTrustedOrigin(raw, trustedOrigins)) return { action: 'allow' };
  const url = externalUrl(raw);
  return url ? { action: 'external', url } : { action: 'deny' };
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** The slice of Electron's WebContents the guards use, so they can be tested without Electron. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface GuardOptions {
  trustedOrigins: readonly string[];
  /** opens a vetted URL in the user's browser (shell.openExternal) */
  openExternal: (url: string) => void;
}

/** Main-frame navigation: stay on the station; a link elsewhere opens in the browser instead. */
export function onWillNavigate(options: GuardOptions) {
  return (event: PreventableEvent & { url: string }): void => {
    const decision = decideNavigation(event.url, options.trustedOrigins);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.action === 'external') options.openExternal(decision.url);
  };
}

/** A redirect is never user intent, so anything off the station is simply stopped. */
export function onWillRedirect(options: Pick<GuardOptions, 'trustedOrigins'>) {
  return (event: PreventableEvent & { url: string }): void => {
    if (decideNavigation(event.url, options.trustedOrigins).action !== 'allow') event.preventDefault();
  };
}

/**
 * `window.open` and `target=_blank` never create an Electron window (it would have its own,
 * unreviewed preferences); vetted http/https links, the station's own included (e.g. /docs),
 * open in the user's browser.
 */
export function windowOpenHandler(options: GuardOptions) {
  return (details: { url: string }): { action: 'deny' } => {
    const url = externalUrl(details.url);
    if (url) options.openExternal(url);
    return { action: 'deny' };
  };
}

/** Applies every guard to a web contents; call it from app 'web-contents-created' so none is missed. */
export function guardContents(contents: GuardedContents, options: GuardOptions): void {
  contents.on('will-navigate', onWillNavigate(options));
  contents.on('will-redirect', onWillRedirect(options));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenHandler(options));
}
