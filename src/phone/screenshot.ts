/**
 * `GET /CGI/Screenshot` (Basic auth), converted to PNG whatever the phone sent (BMP, PNG or the
 * 7940/7960 CIP XML image): the format is detected from the bytes by src/phone/image.
 */
import type { PhoneClient, RequestOptions } from './client.js';
import { parsePhoneAddress, phoneKey } from './address.js';
import { PhoneBadResponse } from './errors.js';
import { screenshotToPng } from './image/index.js';
import { parseReply, throwIfPhoneError } from './parse.js';
import type { Phone, Screenshot } from './types.js';

export async function screenshot(client: PhoneClient, phone: Phone, opts: RequestOptions = {}): Promise<Screenshot> {
  const key = phoneKey(parsePhoneAddress(phone.address));
  const reply = await client.get(phone, '/CGI/Screenshot', { ...opts, kind: 'image' });
  const isImage = /^image\//i.test(reply.contentType ?? '') || looksLikeImage(reply.body);
  if (!isImage || reply.status !== 200) {
    // An XML error (Number 4 = auth) or an HTTP failure; a CIP image is XML too and falls through.
    const parsed = parseReply(reply.body, reply.contentType);
    throwIfPhoneError(key, reply, parsed);
  }
  if (reply.body.length === 0) throw new PhoneBadResponse(`Phone ${key} sent an empty screenshot`);
  let converted: ReturnType<typeof screenshotToPng>;
  try {
    converted = screenshotToPng(reply.body, reply.contentType);
  } catch (err) {
    throw new PhoneBadResponse(
      `Phone ${key} sent a screenshot that could not be decoded (${err instanceof Error ? err.message.slice(0, 120) : 'unknown format'})`,
      'The phone sent a picture in a format rescue-ring cannot read. Tell IT the phone model.',
      { cause: err },
    );
  }
  return {
    png: converted.png,
    width: converted.width,
    height: converted.height,
    sourceFormat: converted.format,
    ...(reply.certificateSha256 ? { certificateSha256: reply.certificateSha256 } : {}),
  };
}

function looksLikeImage(b: Buffer): boolean {
  return (b[0] === 0x42 && b[1] === 0x4d) || (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47);
}
