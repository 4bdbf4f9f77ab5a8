/**
 * Screenshot codecs (pure functions, no I/O): whatever a phone returns from /CGI/Screenshot becomes a PNG,
 * which Slack previews. The format is told by the bytes, never by the Content-Type a phone claims.
 */
import { decodeBmp, isBmp } from './bmp.js';
import { decodeCip, isCip } from './cip.js';
import { ImageDecodeError } from './errors.js';
import { decodePng, encodePng, isPng } from './png.js';

export { ImageDecodeError } from './errors.js';
export { decodeBmp } from './bmp.js';
export { decodeCip } from './cip.js';
export { encodePng, decodePng } from './png.js';
export { MAX_PIXELS, type Raster } from './raster.js';

export type ScreenshotImageFormat = 'bmp' | 'png' | 'cip';

export interface ScreenshotPng {
  png: Buffer;
  width: number;
  height: number;
  /** The format the phone actually sent. */
  format: ScreenshotImageFormat;
}

/** A BMP or PNG picture, told by its bytes. (A CIP image is XML: it is read like any other XML answer first.) */
export function isPicture(body: Buffer): boolean {
  return isPng(body) || isBmp(body);
}

function describe(body: Buffer, contentType: string | undefined): string {
  const claimed = contentType ? ` (the phone called it ${contentType.slice(0, 60)})` : '';
  if (body.length === 0) return `the screenshot is empty${claimed}`;
  const text = body.subarray(0, 200).toString('utf8');
  const error = /<CiscoIPPhoneError[^>]*Number\s*=\s*"?(\d+)/i.exec(text);
  if (error) return `the phone answered CiscoIPPhoneError Number=${error[1]} instead of a picture`;
  return `the screenshot is not a BMP, PNG or CiscoIPPhoneImage${claimed}`;
}

/** Converts a /CGI/Screenshot body to PNG. Throws ImageDecodeError for unknown, truncated or corrupt data. */
export function screenshotToPng(body: Buffer, contentType?: string): ScreenshotPng {
  if (isPng(body)) {
    const { width, height } = decodePng(body);
    return { png: body, width, height, format: 'png' };
  }
  if (isBmp(body)) {
    const r = decodeBmp(body);
    return { png: encodePng(r.rgba, r.width, r.height), width: r.width, height: r.height, format: 'bmp' };
  }
  if (isCip(body)) {
    const r = decodeCip(body);
    return { png: encodePng(r.rgba, r.width, r.height), width: r.width, height: r.height, format: 'cip' };
  }
  throw new ImageDecodeError(describe(body, contentType));
}
