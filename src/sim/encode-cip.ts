/**
 * CIP image encoding (`CiscoIPPhoneImage`, 2 bpp), for the simulator's 7940/7960 screenshots and the
 * codec tests; src/phone/image/cip.ts reads it.
 */
import { checkRgba } from '../phone/image/raster.js';

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
