/**
 * Windows BMP encoding, for the simulator (and the codec tests): the variants phones send, so that
 * src/phone/image/bmp.ts is tested against every header version, depth and row order it must read.
 */
import { BI_BITFIELDS, BI_RGB } from '../phone/image/bmp.js';
import { checkRgba } from '../phone/image/raster.js';

export type BmpBitDepth = 1 | 4 | 8 | 16 | 24 | 32;

export interface BmpEncodeOptions {
  /** Rows stored top to bottom (negative height). Default false (bottom-up, the usual layout). */
  topDown?: boolean;
  /** Header version: BITMAPINFOHEADER (default), V4 or V5. */
  header?: 'info' | 'v4' | 'v5';
  /** 16 bpp only: RGB 565 with BI_BITFIELDS instead of the default 555. */
  rgb565?: boolean;
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
