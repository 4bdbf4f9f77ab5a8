/**
 * CIP images (`CiscoIPPhoneImage`), what 7940/7960 return from /CGI/Screenshot: Width, Height, Depth
 * (2 bits per pixel), Data in hex, 4 pixels per byte with the first pixel in the low bits, and an
 * inverted palette (0 = white, 3 = black, like an LCD). Parsed with fast-xml-parser.
 * (The simulator's encoder is src/sim/encode-cip.ts.)
 */
import { XMLParser } from 'fast-xml-parser';
import { ImageDecodeError } from './errors.js';
import { checkDimensions, type Raster } from './raster.js';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

const CIP_HEAD = /^(?:\uFEFF)?\s*(?:<\?xml[^>]*\?>\s*)*<CiscoIPPhoneImage[\s>/]/;

export function isCip(body: Buffer): boolean {
  return CIP_HEAD.test(body.subarray(0, 1024).toString('utf8'));
}

function intField(obj: Record<string, unknown>, name: string): number {
  const raw = obj[name];
  const s = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  if (!/^\d{1,6}$/.test(s)) throw new ImageDecodeError(`CIP image has no valid ${name}`);
  return Number(s);
}

export function decodeCip(body: Buffer): Raster {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ImageDecodeError(`CIP image is not readable XML: ${(err as Error).message}`, { cause: err });
  }
  const root = doc.CiscoIPPhoneImage;
  if (typeof root !== 'object' || root === null) throw new ImageDecodeError('CIP image has no CiscoIPPhoneImage element');
  const obj = root as Record<string, unknown>;
  const width = intField(obj, 'Width');
  const height = intField(obj, 'Height');
  const depth = intField(obj, 'Depth');
  if (![1, 2, 4, 8].includes(depth)) throw new ImageDecodeError(`CIP image has unsupported Depth ${depth}`);
  checkDimensions(width, height, 'CIP image');
  const hex = (typeof obj.Data === 'string' ? obj.Data : '').replace(/\s+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length % 2 !== 0) throw new ImageDecodeError('CIP image Data is not hex');
  const data = Buffer.from(hex, 'hex');
  const packed = Math.ceil((width * height * depth) / 8);
  const rowBytes = Math.ceil((width * depth) / 8);
  // Some encoders pad each row to a whole byte; accept that layout when the length says so.
  const rowPadded = data.length !== packed && data.length === rowBytes * height;
  if (!rowPadded && data.length < packed) {
    throw new ImageDecodeError(`CIP image is truncated: ${width}x${height} at ${depth} bpp needs ${packed} bytes of Data, got ${data.length}`);
  }
  const max = (1 << depth) - 1;
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = rowPadded ? y * rowBytes * 8 + x * depth : (y * width + x) * depth;
      const v = ((data[bit >> 3] as number) >> (bit & 7)) & max;
      const gray = 255 - Math.round((v * 255) / max);
      const o = (y * width + x) * 4;
      rgba[o] = gray;
      rgba[o + 1] = gray;
      rgba[o + 2] = gray;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}
