/**
 * CIP images (`CiscoIPPhoneImage`), what 7940/7960 return from /CGI/Screenshot: Width, Height, Depth
 * (2 bits per pixel), Data in hex, 4 pixels per byte with the first pixel in the low bits, and an
 * inverted palette (0 = white, 3 = black, like an LCD). Parsed with fast-xml-parser.
 */
import { XMLParser } from 'fast-xml-parser';
import { ImageDecodeError } from './errors.js';
import { checkDimensions, checkRgba, type Raster } from './raster.js';

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

export interface CipEncodeOptions {
  title?: string;
  prompt?: string;
}

/** Encodes an RGBA picture as a 2 bpp CIP image (luminance, inverted palette, low bits first). */
export function encodeCip(rgba: Buffer | Uint8Array, width: number, height: number, options: CipEncodeOptions = {}): string {
  checkRgba(rgba, width, height);
  const data = Buffer.alloc(Math.ceil((width * height * 2) / 8));
  for (let i = 0; i < width * height; i++) {
    const o = i * 4;
    const lum = 0.299 * (rgba[o] as number) + 0.587 * (rgba[o + 1] as number) + 0.114 * (rgba[o + 2] as number);
    const v = Math.round(((255 - lum) * 3) / 255) & 3;
    const bit = i * 2;
    data[bit >> 3] = (data[bit >> 3] as number) | (v << (bit & 7));
  }
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneImage>\n' +
    (options.title !== undefined ? `<Title>${esc(options.title)}</Title>\n` : '') +
    '<LocationX>0</LocationX>\n<LocationY>0</LocationY>\n' +
    `<Width>${width}</Width>\n<Height>${height}</Height>\n<Depth>2</Depth>\n` +
    `<Data>${data.toString('hex').toUpperCase()}</Data>\n` +
    (options.prompt !== undefined ? `<Prompt>${esc(options.prompt)}</Prompt>\n` : '') +
    '</CiscoIPPhoneImage>\n'
  );
}
