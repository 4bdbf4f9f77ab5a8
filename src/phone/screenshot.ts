/**
 * `GET /CGI/Screenshot` (Basic auth), converted to PNG whatever the phone sent (BMP, PNG or the
 * 7940/7960 CIP XML image): the format is detected from the bytes by src/phone/image.
 */
import type { PhoneClient, RequestOptions } from './client.js';
import { parsePhoneAddress, phoneKey } from './address.js';
import { PhoneBadResponse } from './errors.js';
import { isPicture, screenshotToPng } from './image/index.js';
import { parseReply, throwIfPhoneError, type RawReply } from './parse.js';
import type { Phone, Screenshot } from './types.js';

export async function screenshot(client: PhoneClient, phone: Phone, opts: RequestOptions = {}): Promise<Screenshot> {
  const key = phoneKey(parsePhoneAddress(phone.address));
  const reply = await client.get(phone, '/CGI/Screenshot', { ...opts, kind: 'image' });
  throwUnlessPicture(key, reply);
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

/**
 * Throws the named error when a Screenshot answer is an XML error (Number 4 = auth) or an HTTP
 * failure. Decided by the bytes, never by the Content-Type: a phone may label an error `image/bmp`.
 * A CIP image is XML too and passes (it is no error).
 */
export function throwUnlessPicture(key: string, reply: RawReply): void {
  if (reply.status === 200 && isPicture(reply.body)) return;
  throwIfPhoneError(key, reply, parseReply(reply.body, reply.contentType));
}
