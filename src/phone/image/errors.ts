import { AppError } from '../../errors.js';

/** A screenshot whose bytes are not a picture rescue-ring can read (unknown format, truncated, corrupt). */
export class ImageDecodeError extends AppError {
  readonly code = 'ImageDecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      message,
      "The phone sent a screen picture that rescue-ring could not read. Try again in a moment; if it keeps happening, tell your IT team the phone's model so they can report it.",
      options,
    );
  }
}
