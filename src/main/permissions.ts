import { isTrustedOrigin } from './url-policy';

/**
 * Web permissions (camera, geolocation, notifications, USB, ...) are denied by default. The one
 * exception is writing to the clipboard from the station's own page: the UI copies a new API key
 * exactly once, and denying that would lose the key. Reading the clipboard stays denied.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionGranted(permission: string, requestingUrl: unknown, trustedOrigins: readonly string[]): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isTrustedOrigin(requestingUrl, trustedOrigins);
}

/** For `session.setPermissionRequestHandler`. */
export function permissionRequestHandler(trustedOrigins: readonly string[]) {
  return (_contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }): void => {
    callback(isPermissionGranted(permission, details.requestingUrl, trustedOrigins));
  };
}

/** For `session.setPermissionCheckHandler` (synchronous checks such as `navigator.permissions.query`). */
export function permissionCheckHandler(trustedOrigins: readonly string[]) {
  return (_contents: unknown, permission: string, requestingOrigin: string): boolean => isPermissionGranted(permission, requestingOrigin, trustedOrigins);
}
