/**
 * PNG through pngjs: a well-kept pure-JS codec (no native build), with CRC and zlib checks we would not
 * want to reimplement. Dimensions are checked from IHDR before pngjs allocates anything.
 */
import { PNG } from 'pngjs';
import { ImageDecodeError } from './errors.js';
import { checkDimensions, checkRgba, type Raster } from './raster.js';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(body: Buffer): boolean {
  return body.length >= 8 && body.subarray(0, 8).equals(PNG_SIGNATURE);
}

export function encodePng(rgba: Buffer | Uint8Array, width: number, height: number): Buffer {
  checkRgba(rgba, width, height);
  const png = new PNG({ width, height });
  Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength).copy(png.data);
  return PNG.sync.write(png);
}

export function decodePng(body: Buffer): Raster {
  if (!isPng(body)) throw new ImageDecodeError('not a PNG (bad signature)');
  if (body.length < 33 || body.toString('latin1', 12, 16) !== 'IHDR') {
    throw new ImageDecodeError('PNG is truncated before its IHDR header');
  }
  checkDimensions(body.readUInt32BE(16), body.readUInt32BE(20), 'PNG');
  let png: PNG;
  try {
    png = PNG.sync.read(body);
  } catch (err) {
    throw new ImageDecodeError(`PNG is corrupt or truncated: ${(err as Error).message}`, { cause: err });
  }
  return { width: png.width, height: png.height, rgba: png.data };
}
