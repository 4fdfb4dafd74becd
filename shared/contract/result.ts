/** Every call across the process boundary answers with one of these. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An error a person can read, plus a stable code for programs. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export type ApiErrorCode =
  | 'invalid-argument'
  | 'unknown-call'
  | 'not-found'
  | 'conflict'
  | 'unsupported'
  | 'internal';

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ApiErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** Thrown by services for failures that are the caller's fault or an expected condition. */
export class UserFacingError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
