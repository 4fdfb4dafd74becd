import type { Session } from 'electron';
import { ASSET_SCHEME } from '../../shared/contract/bridge.js';

/**
 * The renderer's Content-Security-Policy: its own scripts only, images from the asset scheme,
 * no plugins, no frames, no form posts. `'unsafe-inline'` is allowed for styles only, because
 * canvas libraries and React set inline styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' ${ASSET_SCHEME}: data: blob:`,
  `connect-src 'self' ${ASSET_SCHEME}:`,
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The parts of a Session that `lockDownSession` touches. */
export type LockableSession = {
  setPermissionRequestHandler: Session['setPermissionRequestHandler'];
  setPermissionCheckHandler: Session['setPermissionCheckHandler'];
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/**
 * Denies every permission (camera, notifications, geolocation, …) and stamps the CSP on every
 * response, replacing whatever a response brought along.
 */
export function lockDownSession(session: LockableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

/** Response headers with any existing CSP removed and ours added. */
export function withContentSecurityPolicy(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    result[name] = Array.isArray(value) ? value : [value];
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}
