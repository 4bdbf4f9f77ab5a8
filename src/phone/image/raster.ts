/**
 * The in-memory picture every codec here reads or writes: RGBA, 8 bits per channel, rows top to bottom.
 */
import { ImageDecodeError } from './errors.js';

export interface Raster {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA. */
  rgba: Buffer;
}

/** Largest picture decoded: far above any phone screen (800x480), far below a memory problem. */
export const MAX_PIXELS = 4096 * 4096;
export const MAX_SIDE = 8192;

export function checkDimensions(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageDecodeError(`${what}: invalid dimensions ${width}x${height}`);
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new ImageDecodeError(`${what}: ${width}x${height} is larger than any phone screen; refusing to decode it`);
  }
}

export function checkRgba(rgba: Buffer | Uint8Array, width: number, height: number): void {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`RGBA buffer is ${rgba.length} bytes; ${width}x${height} needs ${width * height * 4}`);
  }
}
