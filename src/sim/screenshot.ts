/**
 * Renders the simulated phone's display to a picture and encodes it the way the model would send it:
 * BMP (8845-like 800x480 24 bpp; 79x5-like 298x168 16 bpp 565), PNG, or the 133x65 2 bpp CIP image of a 7940.
 */
import { encodePng } from '../phone/image/index.js';
import { encodeBmp, type BmpBitDepth } from './encode-bmp.js';
import { encodeCip } from './encode-cip.js';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font5x7.js';
import type { ScreenshotFormat, SimDisplay } from './types.js';

interface Canvas {
  width: number;
  height: number;
  rgba: Buffer;
}

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [232, 236, 240];
const TITLE_BAR: Rgb = [20, 60, 110];
const TITLE_TEXT: Rgb = [255, 255, 255];
const BODY_TEXT: Rgb = [20, 20, 20];

export interface ScreenGeometry {
  width: number;
  height: number;
  bmpBpp: BmpBitDepth;
  /** 16 bpp only: 565 bit fields. */
  rgb565: boolean;
}

/** Physical screen of the model (88xx-like unless it is a 79xx). */
export function geometryFor(model: string): ScreenGeometry {
  if (/^CP-79/i.test(model)) return { width: 298, height: 168, bmpBpp: 16, rgb565: true };
  return { width: 800, height: 480, bmpBpp: 24, rgb565: false };
}

function fillRect(c: Canvas, x0: number, y0: number, w: number, h: number, color: Rgb): void {
  const x1 = Math.min(c.width, x0 + w);
  const y1 = Math.min(c.height, y0 + h);
  for (let y = Math.max(0, y0); y < y1; y++) {
    for (let x = Math.max(0, x0); x < x1; x++) {
      const o = (y * c.width + x) * 4;
      c.rgba[o] = color[0];
      c.rgba[o + 1] = color[1];
      c.rgba[o + 2] = color[2];
      c.rgba[o + 3] = 255;
    }
  }
}

function drawText(c: Canvas, text: string, x0: number, y0: number, scale: number, color: Rgb): void {
  let x = x0;
  for (const ch of text) {
    const cols = glyph(ch);
    for (let col = 0; col < GLYPH_WIDTH; col++) {
      const bits = cols[col] ?? 0;
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        if ((bits >> row) & 1) fillRect(c, x + col * scale, y0 + row * scale, scale, scale, color);
      }
    }
    x += (GLYPH_WIDTH + 1) * scale;
  }
}

function wrap(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line.replace(/\t/g, ' ');
  while (rest.length > max) {
    const cut = rest.lastIndexOf(' ', max);
    const at = cut > 0 ? cut : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, '');
  }
  out.push(rest);
  return out;
}

/** Draws the display: a title bar, then the lines, wrapped to the width. */
export function renderDisplay(display: SimDisplay, width: number, height: number): Canvas {
  const c: Canvas = { width, height, rgba: Buffer.alloc(width * height * 4) };
  fillRect(c, 0, 0, width, height, BACKGROUND);
  const scale = Math.max(1, Math.floor(width / 200));
  const charW = (GLYPH_WIDTH + 1) * scale;
  const lineH = (GLYPH_HEIGHT + 2) * scale;
  const pad = width >= 298 ? scale * 2 : scale;
  const perLine = Math.max(1, Math.floor((width - 2 * pad) / charW));
  const titleH = lineH + 2 * pad;
  fillRect(c, 0, 0, width, titleH, TITLE_BAR);
  drawText(c, display.title.slice(0, perLine), pad, pad + scale, scale, TITLE_TEXT);
  let y = titleH + 2 * pad;
  for (const line of display.lines.flatMap((l) => wrap(l, perLine))) {
    if (y + GLYPH_HEIGHT * scale > height) break;
    drawText(c, line, pad, y, scale, BODY_TEXT);
    y += lineH;
  }
  return c;
}

export const CIP_WIDTH = 133;
export const CIP_HEIGHT = 65;

export function renderScreenshot(
  format: ScreenshotFormat,
  display: SimDisplay,
  model: string,
): { body: Buffer; contentType: string } {
  if (format === 'cip') {
    const c = renderDisplay(display, CIP_WIDTH, CIP_HEIGHT);
    return { body: Buffer.from(encodeCip(c.rgba, c.width, c.height), 'utf8'), contentType: 'text/xml; charset="utf-8"' };
  }
  const g = geometryFor(model);
  const c = renderDisplay(display, g.width, g.height);
  if (format === 'png') return { body: encodePng(c.rgba, c.width, c.height), contentType: 'image/png' };
  return { body: encodeBmp(c.rgba, c.width, c.height, g.bmpBpp, { rgb565: g.rgb565 }), contentType: 'image/bmp' };
}
