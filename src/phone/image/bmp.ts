/**
 * Windows BMP decoding, by hand: the phones use a few plain variants (7941-7975: 16/24 bpp; others
 * paletted), and no maintained pure-JS package decodes every header version and bit-field layout
 * safely. Supports BITMAPCOREHEADER/INFOHEADER/V2-V5 headers, 1/4/8 bpp paletted, 16 bpp 555 and
 * BI_BITFIELDS (565), 24 and 32 bpp, bottom-up and top-down rows. RLE and embedded JPEG/PNG are refused
 * with a clear error. A file is read in four steps: header, colour masks, palette, rows.
 * (The simulator's encoder is src/sim/encode-bmp.ts.)
 */
import { ImageDecodeError } from './errors.js';
import { checkDimensions, type Raster } from './raster.js';

export const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
export const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

/** Sizes of the DIB header versions: CORE, INFO, V2, V3, OS/2 2.x, V4, V5. */
const DIB_SIZES = [12, 40, 52, 56, 64, 108, 124];

export function isBmp(body: Buffer): boolean {
  return body.length >= 2 && body[0] === 0x42 && body[1] === 0x4d;
}

/** What the file header and the DIB header say. */
interface BmpHeader {
  /** Where the pixel rows start. */
  dataOffset: number;
  dibSize: number;
  width: number;
  height: number;
  /** Rows stored top to bottom (negative height in the file). */
  topDown: boolean;
  bpp: number;
  compression: number;
  colorsUsed: number;
}

interface Mask {
  mask: number;
  shift: number;
  bits: number;
}

/** Red, green, blue, alpha. */
type Masks = [Mask, Mask, Mask, Mask];

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

/** The file and DIB headers, checked: a known header size, no RLE/JPEG/PNG, a supported depth, sane dimensions. */
function readHeader(buf: Buffer): BmpHeader {
  if (!isBmp(buf)) throw new ImageDecodeError('not a BMP (no "BM" signature)');
  if (buf.length < 26) throw new ImageDecodeError(`BMP is truncated: ${buf.length} bytes, shorter than its headers`);
  const dataOffset = buf.readUInt32LE(10);
  const dibSize = buf.readUInt32LE(14);
  if (!DIB_SIZES.includes(dibSize)) throw new ImageDecodeError(`BMP has an unknown header size ${dibSize}`);
  if (14 + dibSize > buf.length) throw new ImageDecodeError('BMP is truncated inside its header');

  const core = dibSize === 12;
  const width = core ? buf.readUInt16LE(18) : buf.readInt32LE(18);
  const rawHeight = core ? buf.readInt16LE(20) : buf.readInt32LE(22);
  const bpp = core ? buf.readUInt16LE(24) : buf.readUInt16LE(28);
  const compression = core ? BI_RGB : buf.readUInt32LE(30);
  const colorsUsed = core ? 0 : buf.readUInt32LE(46);
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
  const height = Math.abs(rawHeight);
  checkDimensions(width, height, 'BMP');
  return { dataOffset, dibSize, width, height, topDown: rawHeight < 0, bpp, compression, colorsUsed };
}

/**
 * The colour masks (from the file when it uses bit fields, else the defaults of its depth) and where the
 * palette starts: an INFO header is followed by its masks, later headers hold them inside.
 */
function readMasks(buf: Buffer, h: BmpHeader): { masks: Masks; paletteAt: number } {
  const bitfields = h.compression === BI_BITFIELDS || h.compression === BI_ALPHABITFIELDS;
  if (bitfields && h.bpp !== 16 && h.bpp !== 32) throw new ImageDecodeError(`BMP bit fields with ${h.bpp} bpp are invalid`);
  const afterHeader = 14 + h.dibSize;
  if (!bitfields) {
    const masks: Masks =
      h.bpp === 16
        ? [maskOf(0x7c00), maskOf(0x03e0), maskOf(0x001f), maskOf(0)]
        : [maskOf(0xff0000), maskOf(0xff00), maskOf(0xff), maskOf(0)];
    return { masks, paletteAt: afterHeader };
  }
  const maskBytes = h.compression === BI_ALPHABITFIELDS || h.dibSize >= 56 ? 16 : 12;
  if (54 + maskBytes > buf.length) throw new ImageDecodeError('BMP is truncated inside its colour masks');
  const masks: Masks = [
    maskOf(buf.readUInt32LE(54)),
    maskOf(buf.readUInt32LE(58)),
    maskOf(buf.readUInt32LE(62)),
    maskOf(maskBytes === 16 ? buf.readUInt32LE(66) : 0),
  ];
  return { masks, paletteAt: h.dibSize === 40 ? afterHeader + maskBytes : afterHeader };
}

/** The palette of a 1/4/8 bpp picture as RGB triples (empty for deeper pictures). Entries are BGR (CORE) or BGRX. */
function readPalette(buf: Buffer, h: BmpHeader, at: number): Uint8Array {
  if (h.bpp > 8) return new Uint8Array(0);
  const max = 1 << h.bpp;
  if (h.colorsUsed > max) throw new ImageDecodeError(`BMP palette claims ${h.colorsUsed} colours for ${h.bpp} bpp`);
  const count = h.colorsUsed === 0 ? max : h.colorsUsed;
  const entry = h.dibSize === 12 ? 3 : 4;
  if (at + count * entry > buf.length) throw new ImageDecodeError('BMP is truncated inside its palette');
  const palette = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    const e = at + i * entry;
    palette[i * 3] = buf[e + 2] as number;
    palette[i * 3 + 1] = buf[e + 1] as number;
    palette[i * 3 + 2] = buf[e] as number;
  }
  return palette;
}

/** Bytes per stored row (padded to 4), after checking that every row is in the file. */
function rowStride(buf: Buffer, h: BmpHeader): number {
  const stride = Math.floor((h.bpp * h.width + 31) / 32) * 4;
  const lastRow = Math.ceil((h.bpp * h.width) / 8);
  if (h.dataOffset < 14 + h.dibSize || h.dataOffset + stride * (h.height - 1) + lastRow > buf.length) {
    throw new ImageDecodeError(
      `BMP is truncated: ${h.width}x${h.height} at ${h.bpp} bpp needs ${h.dataOffset + stride * h.height} bytes, got ${buf.length}`,
    );
  }
  return stride;
}

/** Writes pixel `x` of the row starting at byte `row` to `out` at `o` as RGBA. */
type PixelReader = (row: number, x: number, out: Buffer, o: number) => void;

function palettedPixel(buf: Buffer, bpp: number, palette: Uint8Array): PixelReader {
  const count = palette.length / 3;
  return (row, x, out, o) => {
    const bitPos = x * bpp;
    const byte = buf[row + (bitPos >> 3)] as number;
    const index = (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
    // An index past the palette reads as black.
    const inPalette = index < count;
    out[o] = inPalette ? (palette[index * 3] as number) : 0;
    out[o + 1] = inPalette ? (palette[index * 3 + 1] as number) : 0;
    out[o + 2] = inPalette ? (palette[index * 3 + 2] as number) : 0;
    out[o + 3] = 255;
  };
}

function bgrPixel(buf: Buffer): PixelReader {
  return (row, x, out, o) => {
    const p = row + x * 3;
    out[o] = buf[p + 2] as number;
    out[o + 1] = buf[p + 1] as number;
    out[o + 2] = buf[p] as number;
    out[o + 3] = 255;
  };
}

function maskedPixel(buf: Buffer, bpp: number, masks: Masks): PixelReader {
  return (row, x, out, o) => {
    const px = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
    out[o] = channel(px, masks[0]);
    out[o + 1] = channel(px, masks[1]);
    out[o + 2] = channel(px, masks[2]);
    out[o + 3] = masks[3].bits > 0 ? channel(px, masks[3]) : 255;
  };
}

/** Every row, top to bottom, as RGBA. */
function readRows(h: BmpHeader, stride: number, pixel: PixelReader): Buffer {
  const rgba = Buffer.alloc(h.width * h.height * 4);
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) pixel(row, x, rgba, (y * h.width + x) * 4);
  }
  return rgba;
}

/** Many writers declare an alpha mask and leave it all zero: such a picture is opaque, not invisible. */
function opaqueIfNoAlpha(rgba: Buffer): void {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) return;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
}

export function decodeBmp(buf: Buffer): Raster {
  const h = readHeader(buf);
  const { masks, paletteAt } = readMasks(buf, h);
  const palette = readPalette(buf, h, paletteAt);
  const stride = rowStride(buf, h);
  const pixel = h.bpp <= 8 ? palettedPixel(buf, h.bpp, palette) : h.bpp === 24 ? bgrPixel(buf) : maskedPixel(buf, h.bpp, masks);
  const rgba = readRows(h, stride, pixel);
  if (masks[3].bits > 0) opaqueIfNoAlpha(rgba);
  return { width: h.width, height: h.height, rgba };
}
