import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { ImageDecodeError, decodeBmp, encodePng, screenshotToPng } from '../../../src/phone/image/index.js';
import { encodeBmp, type BmpBitDepth } from '../../../src/sim/encode-bmp.js';
import { encodeCip } from '../../../src/sim/encode-cip.js';
import { AppError } from '../../../src/errors.js';

const W = 7; // odd on purpose: every depth needs row padding
const H = 5;

/** A picture using only `colors`, with a distinct pattern so orientation mistakes show. */
function picture(colors: readonly (readonly [number, number, number])[]): Buffer {
  const rgba = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = colors[(x + y * 3 + (y === 0 ? 1 : 0)) % colors.length] as readonly [number, number, number];
      rgba.set([c[0], c[1], c[2], 255], (y * W + x) * 4);
    }
  }
  return rgba;
}

function pngPixels(png: Buffer): { width: number; height: number; data: Buffer } {
  const p = PNG.sync.read(png);
  return { width: p.width, height: p.height, data: p.data };
}

const MANY: [number, number, number][] = [
  [0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [18, 52, 86], [200, 100, 50], [7, 8, 9],
  [250, 240, 230], [1, 2, 3], [99, 99, 99], [128, 0, 128], [0, 128, 128], [128, 128, 0], [64, 32, 16], [33, 66, 99],
];
/** Values that survive 5- and 6-bit channels exactly. */
const EXACT16: [number, number, number][] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];

const CASES: { bpp: BmpBitDepth; colors: [number, number, number][]; rgb565?: boolean }[] = [
  { bpp: 1, colors: MANY.slice(0, 2) },
  { bpp: 4, colors: MANY },
  { bpp: 8, colors: MANY },
  { bpp: 16, colors: EXACT16 },
  { bpp: 16, colors: EXACT16, rgb565: true },
  { bpp: 24, colors: MANY },
  { bpp: 32, colors: MANY },
];

describe('BMP to PNG', () => {
  for (const c of CASES) {
    for (const topDown of [false, true]) {
      for (const header of ['info', 'v4', 'v5'] as const) {
        const label = `${c.bpp} bpp${c.rgb565 ? ' 565' : ''}, ${topDown ? 'top-down' : 'bottom-up'}, ${header} header`;
        it(`round-trips ${label}`, () => {
          const rgba = picture(c.colors);
          const bmp = encodeBmp(rgba, W, H, c.bpp, { topDown, header, rgb565: c.rgb565 });
          const out = screenshotToPng(bmp, 'image/bmp');
          expect(out.format).toBe('bmp');
          expect([out.width, out.height]).toEqual([W, H]);
          const decoded = pngPixels(out.png);
          expect([decoded.width, decoded.height]).toEqual([W, H]);
          expect(decoded.data.equals(rgba)).toBe(true);
        });
      }
    }
  }

  it('keeps the most frequent colours in the palette and maps the others to the nearest one', () => {
    const rgba = picture([[0, 0, 0], [255, 255, 255]]);
    rgba.set([250, 250, 250], 0);
    rgba.set([5, 5, 5], 4 * 9);
    const out = decodeBmp(encodeBmp(rgba, W, H, 1));
    const expected = Buffer.from(rgba);
    expected.set([255, 255, 255], 0);
    expected.set([0, 0, 0], 4 * 9);
    expect(out.rgba.equals(expected)).toBe(true);
  });

  it('reads a hand-written 24 bpp bottom-up BMP (bytes not made by our encoder)', () => {
    // 2x2: top row red, green; bottom row blue, white. Rows padded to 8 bytes, stored bottom row first.
    const bmp = Buffer.from([
      0x42, 0x4d, 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
      40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      255, 0, 0, 255, 255, 255, 0, 0, // bottom row: blue (BGR), white, padding
      0, 0, 255, 0, 255, 0, 0, 0, // top row: red, green, padding
    ]);
    const { width, height, rgba } = decodeBmp(bmp);
    expect([width, height]).toEqual([2, 2]);
    expect([...rgba]).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
  });

  it('reads a hand-written 1 bpp BITMAPCOREHEADER BMP with a 3-byte palette', () => {
    // 3x2, palette [black, yellow]; top row 1,0,1 ; bottom row 0,1,1.
    const bmp = Buffer.from([
      0x42, 0x4d, 40, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0,
      12, 0, 0, 0, 3, 0, 2, 0, 1, 0, 1, 0,
      0, 0, 0, 0, 255, 255,
      0b01100000, 0, 0, 0, // bottom row
      0b10100000, 0, 0, 0, // top row
    ]);
    const { width, height, rgba } = decodeBmp(bmp);
    expect([width, height]).toEqual([3, 2]);
    const px = (i: number): number[] => [...rgba.subarray(i * 4, i * 4 + 3)];
    expect([px(0), px(1), px(2), px(3), px(4), px(5)]).toEqual([
      [255, 255, 0], [0, 0, 0], [255, 255, 0], [0, 0, 0], [255, 255, 0], [255, 255, 0],
    ]);
  });

  it('treats a 32 bpp picture whose alpha mask is all zero as opaque', () => {
    const rgba = picture(MANY);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 0;
    const { rgba: out } = decodeBmp(encodeBmp(rgba, W, H, 32, { header: 'v5' }));
    for (let i = 3; i < out.length; i += 4) expect(out[i]).toBe(255);
  });

  it('detects the format from the bytes, not the Content-Type', () => {
    const bmp = encodeBmp(picture(MANY), W, H, 24);
    expect(screenshotToPng(bmp, 'image/png').format).toBe('bmp');
    expect(screenshotToPng(bmp, 'text/xml').format).toBe('bmp');
  });
});

describe('CIP to PNG', () => {
  it('reads a hand-written CIP image: low bits first, inverted palette, after a BOM and declaration', () => {
    const body = Buffer.from(
      '\uFEFF  <?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneImage><LocationX>-1</LocationX><LocationY>-1</LocationY>' +
        '<Width>4</Width><Height>2</Height><Depth>2</Depth><Data>E41B</Data></CiscoIPPhoneImage>',
      'utf8',
    );
    const out = screenshotToPng(body, 'text/html');
    expect(out).toMatchObject({ format: 'cip', width: 4, height: 2 });
    const { data } = pngPixels(out.png);
    const grays = Array.from({ length: 8 }, (_, i) => data[i * 4]);
    // 0xE4 = 11 10 01 00 -> pixels 0,1,2,3 ; 0x1B = 00 01 10 11 -> pixels 3,2,1,0
    expect(grays).toEqual([255, 170, 85, 0, 0, 85, 170, 255]);
  });

  it('round-trips the 133x65 2 bpp screen of a 7940 through encodeCip', () => {
    const w = 133;
    const h = 65;
    const rgba = Buffer.alloc(w * h * 4);
    const levels = [255, 170, 85, 0];
    for (let i = 0; i < w * h; i++) {
      const g = levels[(i * 7 + Math.floor(i / w)) % 4] as number;
      rgba.set([g, g, g, 255], i * 4);
    }
    const out = screenshotToPng(Buffer.from(encodeCip(rgba, w, h, { title: 'A & B' })));
    expect(out).toMatchObject({ format: 'cip', width: w, height: h });
    expect(pngPixels(out.png).data.equals(rgba)).toBe(true);
  });

  it('accepts Data padded to whole bytes per row', () => {
    // 3x2 at 2 bpp: 1 byte per row when padded (packed would be 2 bytes as well: 12 bits -> 2 bytes). Use 5x2: packed 3 bytes, padded 4.
    const body = Buffer.from('<CiscoIPPhoneImage><Width>5</Width><Height>2</Height><Depth>2</Depth><Data>FF03 0003</Data></CiscoIPPhoneImage>');
    const { data } = pngPixels(screenshotToPng(body).png);
    const grays = Array.from({ length: 10 }, (_, i) => data[i * 4]);
    expect(grays).toEqual([0, 0, 0, 0, 0, 255, 255, 255, 255, 0]);
  });
});

describe('PNG passthrough', () => {
  it('returns the same PNG bytes with their dimensions', () => {
    const png = encodePng(picture(MANY), W, H);
    const out = screenshotToPng(png, 'image/bmp');
    expect(out.format).toBe('png');
    expect(out.png).toBe(png);
    expect([out.width, out.height]).toEqual([W, H]);
  });
});

describe('unreadable screenshots', () => {
  const bmp = encodeBmp(picture(MANY), W, H, 24);
  const hugeBmp = Buffer.from(bmp);
  hugeBmp.writeInt32LE(100_000, 18);
  hugeBmp.writeInt32LE(100_000, 22);
  const rle = Buffer.from(encodeBmp(picture(MANY), W, H, 8));
  rle.writeUInt32LE(1, 30);
  const badHeader = Buffer.from(bmp);
  badHeader.writeUInt32LE(77, 14);
  const png = encodePng(picture(MANY), W, H);
  const hugePng = Buffer.from(png);
  hugePng.writeUInt32BE(60_000, 16);
  hugePng.writeUInt32BE(60_000, 20);
  const corruptPng = Buffer.from(png);
  corruptPng[corruptPng.length - 20] = (corruptPng[corruptPng.length - 20] as number) ^ 0xff;
  const cip = (inner: string): Buffer => Buffer.from(`<CiscoIPPhoneImage>${inner}</CiscoIPPhoneImage>`);

  const cases: [string, Buffer, RegExp][] = [
    ['an empty body', Buffer.alloc(0), /empty/],
    ['an HTML page', Buffer.from('<html><body>Login</body></html>'), /not a BMP, PNG or CiscoIPPhoneImage/],
    ['a CiscoIPPhoneError', Buffer.from('<CiscoIPPhoneError Number="4"/>'), /CiscoIPPhoneError Number=4/],
    ['just "BM"', Buffer.from('BM'), /truncated/],
    ['a BMP cut in its pixels', bmp.subarray(0, bmp.length - 10), /truncated/],
    ['a BMP cut in its header', bmp.subarray(0, 30), /truncated/],
    ['a BMP claiming 100000x100000', hugeBmp, /larger than any phone screen/],
    ['an RLE BMP', rle, /RLE/],
    ['a BMP with an unknown header size', badHeader, /header size/],
    ['a PNG cut short', png.subarray(0, png.length - 30), /PNG/],
    ['a PNG claiming 60000x60000', hugePng, /larger than any phone screen/],
    ['a PNG with a bad checksum', corruptPng, /corrupt/],
    ['a PNG signature alone', png.subarray(0, 8), /truncated/],
    ['a CIP image without Data', cip('<Width>4</Width><Height>1</Height><Depth>2</Depth>'), /truncated/],
    ['a CIP image with short Data', cip('<Width>8</Width><Height>8</Height><Depth>2</Depth><Data>FFFF</Data>'), /truncated/],
    ['a CIP image with non-hex Data', cip('<Width>4</Width><Height>1</Height><Depth>2</Depth><Data>ZZ</Data>'), /not hex/],
    ['a CIP image claiming 99999x99999', cip('<Width>99999</Width><Height>99999</Height><Depth>2</Depth><Data>00</Data>'), /larger than any phone screen/],
    ['a CIP image without Width', cip('<Height>1</Height><Depth>2</Depth><Data>00</Data>'), /Width/],
    ['a CIP image with Depth 3', cip('<Width>4</Width><Height>1</Height><Depth>3</Depth><Data>00</Data>'), /Depth/],
  ];
  for (const [label, body, message] of cases) {
    it(`rejects ${label} with ImageDecodeError`, () => {
      let caught: unknown;
      try {
        screenshotToPng(body, 'image/bmp');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ImageDecodeError);
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('is an AppError with a code and an office-worker hint', () => {
    let caught: unknown;
    try {
      screenshotToPng(Buffer.from('nope'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError & { code: string }).code).toBe('ImageDecodeError');
    expect((caught as AppError).hint).toMatch(/try again/i);
  });
});
