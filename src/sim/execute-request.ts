/**
 * Reads a CGI/Execute body the way a phone does: find the `XML` form field (url-encoded, or raw XML
 * after `XML=` under a text/xml or text/plain header, which real phones tolerate), check the size
 * limit, parse the object, and say what it is. Anything it cannot use is CiscoIPPhoneError Number 1.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isHttpUrl } from './uri.js';

export interface ExecuteItemIn {
  url: string;
  priority?: number;
}

export type ExecuteRequest =
  | { kind: 'error'; number: 1; reason: string; xml?: string; items?: ExecuteItemIn[] }
  | { kind: 'execute'; xml: string; items: ExecuteItemIn[] }
  | { kind: 'display'; xml: string; root: string; title: string; prompt: string; text: string };

/** Display objects a phone accepts when pushed directly (reference §4). */
const DISPLAY_ROOTS = new Set([
  'CiscoIPPhoneText', 'CiscoIPPhoneMenu', 'CiscoIPPhoneIconMenu', 'CiscoIPPhoneInput', 'CiscoIPPhoneDirectory',
  'CiscoIPPhoneImage', 'CiscoIPPhoneImageFile', 'CiscoIPPhoneGraphicMenu', 'CiscoIPPhoneGraphicFileMenu',
  'CiscoIPPhoneStatus', 'CiscoIPPhoneStatusFile',
]);

const STRAY_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'ExecuteItem',
});

/** Extracts the XML object from the body, or explains why there is none. */
export function extractXmlField(rawBody: Buffer, contentType: string | undefined): { xml: string } | { reason: string } {
  const body = rawBody.toString('utf8');
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const value = new URLSearchParams(body).get('XML');
    if (value === null) return { reason: 'no XML form field' };
    return { xml: value };
  }
  const trimmed = body.replace(/^\s+/, '');
  if (!trimmed.startsWith('XML=')) return { reason: 'body does not start with XML=' };
  const value = trimmed.slice(4);
  if (/^\s*</.test(value)) return { xml: value };
  try {
    return { xml: decodeURIComponent(value.replace(/\+/g, ' ')) };
  } catch {
    return { reason: 'garbled url-encoding in the XML field' };
  }
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && '#text' in v) return String((v as { '#text': unknown })['#text']);
  return String(v);
}

export function readExecuteRequest(rawBody: Buffer, contentType: string | undefined, limit: number): ExecuteRequest {
  const field = extractXmlField(rawBody, contentType);
  if ('reason' in field) return { kind: 'error', number: 1, reason: field.reason };
  const xml = field.xml;
  if (Buffer.byteLength(xml, 'utf8') > limit) {
    return { kind: 'error', number: 1, reason: `object over the ${limit}-byte limit`, xml };
  }
  if (xml.trim() === '') return { kind: 'error', number: 1, reason: 'empty XML field', xml };
  // The phone's parser breaks on a raw `&` (reference §7); fast-xml-parser would let it through.
  if (/<!DOCTYPE/i.test(xml)) return { kind: 'error', number: 1, reason: 'DOCTYPE is not allowed', xml };
  if (STRAY_AMPERSAND.test(xml)) return { kind: 'error', number: 1, reason: 'unescaped & in the object', xml };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { kind: 'error', number: 1, reason: `XML parse error: ${valid.err.msg}`, xml };
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    return { kind: 'error', number: 1, reason: `XML parse error: ${(err as Error).message}`, xml };
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
  if (roots.length !== 1) return { kind: 'error', number: 1, reason: 'not exactly one root element', xml };
  const root = roots[0] as string;
  const body = doc[root];
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (root === 'CiscoIPPhoneExecute') return readExecute(xml, obj);
  if (DISPLAY_ROOTS.has(root)) {
    return { kind: 'display', xml, root, title: text(obj.Title), prompt: text(obj.Prompt), text: text(obj.Text) };
  }
  return { kind: 'error', number: 1, reason: `unknown object ${root}`, xml };
}

function readExecute(xml: string, obj: Record<string, unknown>): ExecuteRequest {
  const rawItems = Array.isArray(obj.ExecuteItem) ? (obj.ExecuteItem as unknown[]) : [];
  const items: ExecuteItemIn[] = [];
  for (const raw of rawItems) {
    const attrs = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const url = typeof attrs.URL === 'string' ? attrs.URL : undefined;
    if (url === undefined) return { kind: 'error', number: 1, reason: 'ExecuteItem without URL', xml, items };
    const item: ExecuteItemIn = { url };
    if (attrs.Priority !== undefined) {
      const p = Number(attrs.Priority);
      if (!/^\d+$/.test(String(attrs.Priority)) || p > 3) {
        return { kind: 'error', number: 1, reason: 'Priority is not 0-3', xml, items };
      }
      item.priority = p;
    }
    items.push(item);
  }
  if (items.length === 0) return { kind: 'error', number: 1, reason: 'no ExecuteItem', xml, items };
  if (items.length > 3) return { kind: 'error', number: 1, reason: 'more than 3 ExecuteItems', xml, items };
  if (items.filter((i) => isHttpUrl(i.url)).length > 1) {
    return { kind: 'error', number: 1, reason: 'more than one HTTP URL', xml, items };
  }
  return { kind: 'execute', xml, items };
}
