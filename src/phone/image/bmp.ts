/**
 * Windows BMP, by hand: the phones use a few plain variants (7941-7975: 16/24 bpp; others paletted), and
 * no maintained pure-JS package decodes every header version and bit-field layout safely. Supports
 * BITMAPCOREHEADER/INFOHEADER/V2-V5 headers, 1/4/8 bpp paletted, 16 bpp 555 and BI_BITFIELDS (565),
 * 24 and 32 bpp, bottom-up and top-down rows. RLE and embedded JPEG/PNG are refused with a clear error.
 */
import { ImageDecodeError } from './errors.js';
import { checkDimensions, checkRgba, type Raster } from './raster.js';

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

export type BmpBitDepth = 1 | 4 | 8 | 16 | 24 | 32;

export interface BmpEncodeOptions {
  /** Rows stored top to bottom (negative height). Default false (bottom-up, the usual layout). */
  topDown?: boolean;
  /** Header version: BITMAPINFOHEADER (default), V4 or V5. */
  header?: 'info' | 'v4' | 'v5';
  /** 16 bpp only: RGB 565 with BI_BITFIELDS instead of the default 555. */
  rgb565?: boolean;
}

export function isBmp(body: Buffer): boolean {
  return body.length >= 2 && body[0] === 0x42 && body[1] === 0x4d;
}

interface Mask {
  mask: number;
  shift: number;
  bits: number;
}

function maskOf(mask: number): Mask {
  const m = mask >>> 0;
  if (m === 0) return { mask: 0, shift: 0, bits: 0 };
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift += 1;
  let bits = 0;
  while (shift + bits < 32 && ((m >>> (shift + bits)) & 1) === 1) bits += 1;
  return { mask: m, shift, bits };
}

function channel(px: number, m: Mask): number {
  if (m.bits === 0) return 0;
  const v = ((px & m.mask) >>> 0) >>> m.shift;
  if (m.bits >= 8) return v >>> (m.bits - 8);
  return Math.round((v * 255) / ((1 << m.bits) - 1));
}

export function decodeBmp(buf: Buffer): Raster {
  if (!isBmp(buf)) throw new ImageDecodeError('not a BMP (no "BM" signature)');
  if (buf.length < 26) throw new ImageDecodeError(`BMP is truncated: ${buf.length} bytes, shorter than its headers`);
  const dataOffset = buf.readUInt32LE(10);
  const dibSize = buf.readUInt32LE(14);
  if (![12, 40, 52, 56, 64, 108, 124].includes(dibSize)) {
    throw new ImageDecodeError(`BMP has an unknown header size ${dibSize}`);
  }
  if (14 + dibSize > buf.length) throw new ImageDecodeError('BMP is truncated inside its header');

  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (dibSize === 12) {
    width = buf.readUInt16LE(18);
    rawHeight = buf.readInt16LE(20);
    bpp = buf.readUInt16LE(24);
  } else {
    width = buf.readInt32LE(18);
    rawHeight = buf.readInt32LE(22);
    bpp = buf.readUInt16LE(28);
    compression = buf.readUInt32LE(30);
    colorsUsed = buf.readUInt32LE(46);
  }
  if (compression === BI_RLE8 || compression === BI_RLE4) {
    throw new ImageDecodeError('run-length-compressed (RLE) BMP is not supported');
  }
  if (compression === BI_JPEG || compression === BI_PNG) {
    throw new ImageDecodeError('BMP with an embedded JPEG/PNG is not supported');
  }
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw new ImageDecodeError(`BMP uses unknown compression ${compression}`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new ImageDecodeError(`BMP has an unsupported bit depth ${bpp}`);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  checkDimensions(width, height, 'BMP');

  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (bitfields && bpp !== 16 && bpp !== 32) throw new ImageDecodeError(`BMP bit fields with ${bpp} bpp are invalid`);
  let afterHeader = 14 + dibSize;
  let masks: [Mask, Mask, Mask, Mask];
  if (bitfields) {
    const maskBytes = compression === BI_ALPHABITFIELDS || dibSize >= 56 ? 16 : 12;
    if (54 + maskBytes > buf.length) throw new ImageDecodeError('BMP is truncated inside its colour masks');
    masks = [
      maskOf(buf.readUInt32LE(54)),
      maskOf(buf.readUInt32LE(58)),
      maskOf(buf.readUInt32LE(62)),
      maskOf(maskBytes === 16 ? buf.readUInt32LE(66) : 0),
    ];
    if (dibSize === 40) afterHeader += maskBytes;
  } else if (bpp === 16) {
    masks = [maskOf(0x7c00), maskOf(0x03e0), maskOf(0x001f), maskOf(0)];
  } else {
    masks = [maskOf(0xff0000), maskOf(0xff00), maskOf(0xff), maskOf(0)];
  }

  let palette: Uint8Array = new Uint8Array(0);
  if (bpp <= 8) {
    const max = 1 << bpp;
    if (colorsUsed > max) throw new ImageDecodeError(`BMP palette claims ${colorsUsed} colours for ${bpp} bpp`);
    const count = colorsUsed === 0 ? max : colorsUsed;
    const entry = dibSize === 12 ? 3 : 4;
    if (afterHeader + count * entry > buf.length) throw new ImageDecodeError('BMP is truncated inside its palette');
    palette = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) {
      const at = afterHeader + i * entry;
      palette[i * 3] = buf[at + 2] as number;
      palette[i * 3 + 1] = buf[at + 1] as number;
      palette[i * 3 + 2] = buf[at] as number;
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const lastRow = Math.ceil((bpp * width) / 8);
  if (dataOffset < 14 + dibSize || dataOffset + stride * (height - 1) + lastRow > buf.length) {
    throw new ImageDecodeError(
      `BMP is truncated: ${width}x${height} at ${bpp} bpp needs ${dataOffset + stride * height} bytes, got ${buf.length}`,
    );
  }

  const rgba = Buffer.alloc(width * height * 4);
  const paletteCount = palette.length / 3;
  let anyAlpha = false;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 255;
      if (bpp <= 8) {
        const bitPos = x * bpp;
        const byte = buf[row + (bitPos >> 3)] as number;
        const index = (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        if (index < paletteCount) {
          r = palette[index * 3] as number;
          g = palette[index * 3 + 1] as number;
          b = palette[index * 3 + 2] as number;
        }
      } else if (bpp === 24) {
        const p = row + x * 3;
        b = buf[p] as number;
        g = buf[p + 1] as number;
        r = buf[p + 2] as number;
      } else {
        const px = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        r = channel(px, masks[0]);
        g = channel(px, masks[1]);
        b = channel(px, masks[2]);
        if (masks[3].bits > 0) {
          a = channel(px, masks[3]);
          if (a !== 0) anyAlpha = true;
        }
      }
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = a;
    }
  }
  // Many writers declare an alpha mask and leave it all zero: such a picture is opaque, not invisible.
  if (masks[3].bits > 0 && !anyAlpha) for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { width, height, rgba };
}

/**
 * Builds a palette of the 2^bpp most frequent colours; other colours map to the nearest entry.
 * (Phone screens have few colours, so this is exact for what the simulator draws.)
 */
function buildPalette(rgba: Buffer | Uint8Array, max: number): { palette: number[]; indexOf: (o: number) => number } {
  const keyAt = (o: number): number => ((rgba[o] as number) << 16) | ((rgba[o + 1] as number) << 8) | (rgba[o + 2] as number);
  const counts = new Map<number, number>();
  for (let o = 0; o < rgba.length; o += 4) {
    const k = keyAt(o);
    const n = counts.get(k);
    if (n !== undefined) counts.set(k, n + 1);
    else if (counts.size < 65_536) counts.set(k, 1);
  }
  const palette = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, max).map(([k]) => k);
  const lookup = new Map<number, number>(palette.map((k, i) => [k, i]));
  const indexOf = (o: number): number => {
    const k = keyAt(o);
    const hit = lookup.get(k);
    if (hit !== undefined) return hit;
    let best = 0;
    let bestDist = Infinity;
    for (let i = 0; i < palette.length; i++) {
      const p = palette[i] as number;
      const dr = ((p >> 16) & 255) - ((k >> 16) & 255);
      const dg = ((p >> 8) & 255) - ((k >> 8) & 255);
      const db = (p & 255) - (k & 255);
      const d = dr * dr + dg * dg + db * db;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    lookup.set(k, best);
    return best;
  };
  return { palette, indexOf };
}

export function encodeBmp(
  rgba: Buffer | Uint8Array,
  width: number,
  height: number,
  bpp: BmpBitDepth,
  options: BmpEncodeOptions = {},
): Buffer {
  checkRgba(rgba, width, height);
  const header = options.header ?? 'info';
  const dibSize = header === 'v5' ? 124 : header === 'v4' ? 108 : 40;
  const rgb565 = bpp === 16 && options.rgb565 === true;
  const useBitfields = rgb565 || (bpp === 32 && header !== 'info');
  const masks: [number, number, number, number] = rgb565
    ? [0xf800, 0x07e0, 0x001f, 0]
    : bpp === 16
      ? [0x7c00, 0x03e0, 0x001f, 0]
      : [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  const extraMasks = useBitfields && dibSize === 40 ? 12 : 0;
  const pal = bpp <= 8 ? buildPalette(rgba, 1 << bpp) : undefined;
  const paletteBytes = pal ? pal.palette.length * 4 : 0;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const dataOffset = 14 + dibSize + extraMasks + paletteBytes;
  const out = Buffer.alloc(dataOffset + stride * height);

  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(dataOffset, 10);
  out.writeUInt32LE(dibSize, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(options.topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(useBitfields ? BI_BITFIELDS : BI_RGB, 30);
  out.writeUInt32LE(stride * height, 34);
  out.writeInt32LE(2835, 38);
  out.writeInt32LE(2835, 42);
  out.writeUInt32LE(pal ? pal.palette.length : 0, 46);
  if (dibSize > 40 || useBitfields) {
    out.writeUInt32LE(masks[0] >>> 0, 54);
    out.writeUInt32LE(masks[1] >>> 0, 58);
    out.writeUInt32LE(masks[2] >>> 0, 62);
    if (dibSize > 40) out.writeUInt32LE(masks[3] >>> 0, 66);
  }
  if (dibSize > 40) out.writeUInt32LE(0x73524742, 70); // LCS_sRGB
  if (pal) {
    pal.palette.forEach((c, i) => {
      const at = 14 + dibSize + extraMasks + i * 4;
      out[at] = c & 255;
      out[at + 1] = (c >> 8) & 255;
      out[at + 2] = (c >> 16) & 255;
    });
  }
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (options.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const r = rgba[o] as number;
      const g = rgba[o + 1] as number;
      const b = rgba[o + 2] as number;
      if (pal) {
        const bitPos = x * bpp;
        const at = row + (bitPos >> 3);
        out[at] = (out[at] as number) | (pal.indexOf(o) << (8 - bpp - (bitPos & 7)));
      } else if (bpp === 24) {
        out[row + x * 3] = b;
        out[row + x * 3 + 1] = g;
        out[row + x * 3 + 2] = r;
      } else if (bpp === 16) {
        const v = rgb565 ? ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3) : ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
        out.writeUInt16LE(v, row + x * 2);
      } else {
        const a = useBitfields ? (rgba[o + 3] as number) : 0;
        out.writeUInt32LE(((a << 24) | (r << 16) | (g << 8) | b) >>> 0, row + x * 4);
      }
    }
  }
  return out;
}
