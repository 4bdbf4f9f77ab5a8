/**
 * The one base class for every error a person may read (Slack reply, CLI output, App Home).
 *
 * `message` is for logs and operators; `hint` is written for office workers and says what to do next.
 * Neither may ever contain a password, token or key: build them from names and addresses only.
 */
export abstract class AppError extends Error {
  /** Stable machine-readable class, e.g. `PhoneAuthFailed`; used for audit, metrics and Slack mapping. */
  abstract readonly code: string;
  readonly hint: string;

  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** True for errors that carry a user-facing hint. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The error class name recorded in audit logs and metrics; `Unexpected` for anything unplanned. */
export function errorClass(err: unknown): string {
  if (isAppError(err)) return err.code;
  if (err instanceof Error && err.name === 'AbortError') return 'Aborted';
  return 'Unexpected';
}
