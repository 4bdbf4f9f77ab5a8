/**
 * Lenient parsing of what phones answer. Phones send duplicate XML declarations, raw `&`,
 * mixed-case names, `text/html` content types and Cisco's own odd closing tags, so the text is
 * cleaned first and names are compared case-insensitively (everything is lower-cased).
 */
import { XMLParser } from 'fast-xml-parser';
import { PhoneAuthFailed, PhoneBadResponse, PhoneRejected } from './errors.js';
import type { ResponseItem } from './types.js';

/** What the transport read: status, headers and the (capped) body. */
export interface RawReply {
  status: number;
  contentType?: string;
  location?: string;
  body: Buffer;
}

/** One typed view of any phone answer. */
export type ParsedReply =
  | { kind: 'response'; items: ResponseItem[] }
  /** `number` is undefined when the phone's Number is missing or not a decimal integer. */
  | { kind: 'error'; number: number | undefined; message?: string }
  | { kind: 'other-xml'; root: string; tree: XmlTree }
  | { kind: 'empty' }
  | { kind: 'text' }
  | { kind: 'binary' };

/** A parsed XML document: element and attribute names lower-cased, attributes as plain keys. */
export type XmlTree = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  transformTagName: (n) => n.toLowerCase(),
  transformAttributeName: (n) => n.toLowerCase(),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'responseitem',
});

/** Decode with the charset from the header or XML declaration (phones use iso-8859-1 or UTF-8). */
export function decodeBody(body: Buffer, contentType?: string): string {
  const head = body.subarray(0, 200).toString('latin1');
  const declared = /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? '')?.[1] ?? /<\?xml[^>]*encoding\s*=\s*["']([\w-]+)/i.exec(head)?.[1];
  const latin = declared !== undefined && /^(iso-8859-1|latin1|us-ascii|windows-1252)$/i.test(declared);
  const text = body.toString(latin ? 'latin1' : 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Remove every `<?xml ...?>` declaration and escape stray `&` that start no entity. */
export function cleanXml(text: string): string {
  return text
    .replace(/<\?xml[^>]*\?>/gi, '')
    .replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]{0,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g, '&amp;');
}

/** Control bytes (other than tab/CR/LF) or invalid UTF-8 mean the body is not text. */
function looksBinary(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(text);
}

/** Parse XML leniently; undefined when the text cannot be read as XML at all. */
export function parseXml(text: string): XmlTree | undefined {
  try {
    const tree = parser.parse(cleanXml(text)) as XmlTree;
    return Object.keys(tree).length > 0 ? tree : undefined;
  } catch {
    return undefined;
  }
}

function attrs(node: unknown): Record<string, unknown> {
  const first = Array.isArray(node) ? node[0] : node;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Any body that holds this tag is a refusal, whatever else it holds and whether or not it parses. */
const ERROR_TAG = /<\s*ciscoipphoneerror\b/i;

/** A CiscoIPPhoneError Number as phones write it: decimal digits. Anything else ("abc", "", "0x4", "1.5") is unreadable. */
function errorNumber(raw: string): number | undefined {
  const t = raw.trim();
  return /^-?\d{1,9}$/.test(t) ? Number(t) : undefined;
}

/** The error a body holds: from the parsed element when it is the document, else from the raw text. */
function readError(text: string): Extract<ParsedReply, { kind: 'error' }> {
  const tree = parseXml(text);
  if (tree !== undefined && 'ciscoipphoneerror' in tree) {
    const node = tree.ciscoipphoneerror;
    const message = Array.isArray(node) ? node.slice(1).map(str).join(' ').trim() : str(attrs(node)['#text']).trim();
    return { kind: 'error', number: errorNumber(str(attrs(node).number)), ...(message ? { message } : {}) };
  }
  const m = /<\s*ciscoipphoneerror\b[^>]*?\bnumber\s*=\s*["']?([^"'\s/>]*)/i.exec(text);
  return { kind: 'error', number: m ? errorNumber(m[1] ?? '') : undefined };
}

export function parseReply(body: Buffer, contentType?: string): ParsedReply {
  if (blank(body)) return { kind: 'empty' };
  const text = decodeBody(body, contentType);
  // A plain response holds no error tag and no control character, so it needs neither check below.
  const plain = plainResponseItems(text);
  if (plain !== undefined) return { kind: 'response', items: plain.map(responseItem) };
  if (ERROR_TAG.test(text)) return readError(text);
  if (looksBinary(text)) return { kind: 'binary' };
  const tree = parseXml(text);
  if (tree === undefined) return { kind: 'text' };
  if ('ciscoipphoneresponse' in tree) return { kind: 'response', items: responseItemsOf(tree) };
  const root = Object.keys(tree).find((k) => !k.startsWith('?')) ?? '';
  return { kind: 'other-xml', root, tree };
}

/** Nothing but whitespace as String.prototype.trim sees it in latin1 (tab to CR, space, no-break space). */
function blank(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b !== 0x20 && b !== 0xa0 && (b < 0x09 || b > 0x0d)) return false;
  }
  return true;
}

/** The items of a parsed CiscoIPPhoneResponse (the tree's attributes, lower-cased). */
export function responseItemsOf(tree: XmlTree): ResponseItem[] {
  const raw = attrs(tree.ciscoipphoneresponse).responseitem;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((it) => responseItem(attrs(it)));
}

function responseItem(a: Record<string, unknown>): ResponseItem {
  const status = Number(str(a.status).trim());
  return { status: Number.isFinite(status) && str(a.status).trim() !== '' ? status : -1, data: str(a.data), url: str(a.url) };
}

/**
 * The common answer, read without the XML parser: XML declarations, then a CiscoIPPhoneResponse holding
 * only self-closed ResponseItems whose attributes are letters="value" with no `&`, `<`, `>`, control
 * character or U+FFFD in the value (nor `<` or those in the declarations), spaces, tabs and line breaks between (names in any case). Anything else (entities, single quotes, text, other
 * elements...) is undefined and goes through the full parse, which gives the same items for what this reads.
 */
// eslint-disable-next-line no-control-regex -- control characters (binary answers) are left to the full path
const PLAIN_RESPONSE = /^[ \t\r\n]*(?:<\?xml[^<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]*\?>[ \t\r\n]*)*<ciscoipphoneresponse>[ \t\r\n]*((?:<responseitem(?:[ \t\r\n]+[a-z]+="[^"<>&\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]*")*[ \t\r\n]*\/>[ \t\r\n]*)*)<\/ciscoipphoneresponse>[ \t\r\n]*$/i;
const PLAIN_ITEM = /<responseitem((?:[ \t\r\n]+[a-z]+="[^"]*")*)[ \t\r\n]*\/>/gi;
const PLAIN_ATTRIBUTE = /([a-z]+)="([^"]*)"/gi;

export function plainResponseItems(text: string): Record<string, string>[] | undefined {
  const m = PLAIN_RESPONSE.exec(text);
  if (m === null) return undefined;
  const items: Record<string, string>[] = [];
  for (const item of m[1]!.matchAll(PLAIN_ITEM)) {
    const a: Record<string, string> = {};
    for (const attr of item[1]!.matchAll(PLAIN_ATTRIBUTE)) a[attr[1]!.toLowerCase()] = attr[2]!.trim();
    items.push(a);
  }
  return items;
}

/** Control characters (but tab, CR, LF) and U+FFFD: a body holding any goes to the full parse, which calls it binary. */
const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffd';
const DECLARATIONS = new RegExp(`[ \\t\\r\\n]*(?:<\\?xml[^<>${CONTROL}]*\\?>[ \\t\\r\\n]*)*<([a-z][a-z0-9]*)>`, 'iy');
const FLAT_CHILD = new RegExp(`[ \\t\\r\\n]*<([a-z][a-z0-9]*)(?:>([^<>&${CONTROL}]*)</([a-z][a-z0-9]*)>|[ \\t\\r\\n]*/>)`, 'iy');
const FLAT_END = /[ \t\r\n]*<\/([a-z][a-z0-9]*)>[ \t\r\n]*$/iy;
/** Names the XML parser refuses (the whole answer is then unreadable), so this must not read them either. */
const REFUSED_NAMES = new Set(['constructor', 'prototype']);

/**
 * An info page as phones send it (StreamingStatisticsX, asked before every Play), read without the XML
 * parser: XML declarations, then `root` holding only `<Name>text</Name>` and `<Name/>` children
 * whose text has no `<`, `>`, `&`, control character or U+FFFD. Returns each child's trimmed text by
 * lower-cased name (the first of duplicates, as childText reads the parsed tree; '' for an empty one), or
 * undefined for anything else (attributes, entities, nesting, comments, an error tag...), which goes
 * through parseReply and gives the same texts.
 */
export function plainChildren(text: string, root: string): Record<string, string> | undefined {
  if (ERROR_TAG.test(text)) return undefined;
  DECLARATIONS.lastIndex = 0;
  const head = DECLARATIONS.exec(text);
  if (head === null || head[1]!.toLowerCase() !== root) return undefined;
  const children = Object.create(null) as Record<string, string>;
  let at = DECLARATIONS.lastIndex;
  for (;;) {
    FLAT_CHILD.lastIndex = at;
    const m = FLAT_CHILD.exec(text);
    if (m === null) break;
    at = FLAT_CHILD.lastIndex;
    const name = m[1]!.toLowerCase();
    if ((m[3] !== undefined && name !== m[3].toLowerCase()) || REFUSED_NAMES.has(name)) return undefined;
    if (!Object.hasOwn(children, name)) children[name] = (m[2] ?? '').trim();
  }
  FLAT_END.lastIndex = at;
  const end = FLAT_END.exec(text);
  return end !== null && end[1]!.toLowerCase() === root ? children : undefined;
}

/** Throws the named error for an answer that says "authentication failed" or "error"; common to every request. */
export function throwIfPhoneError(address: string, reply: RawReply, parsed: ParsedReply): void {
  if (reply.status === 401) throw new PhoneAuthFailed(`Phone ${address} refused the username and password (HTTP 401)`);
  if (parsed.kind === 'error') {
    if (parsed.number === 4) throw new PhoneAuthFailed(`Phone ${address} refused the username and password (CiscoIPPhoneError 4)`);
    throw PhoneRejected.fromErrorNumber(address, parsed.number);
  }
  if (reply.status >= 300 && reply.status < 400) {
    const where = reply.location ? ` to ${reply.location.slice(0, 200)}` : '';
    throw new PhoneBadResponse(
      `Phone ${address} answered with a redirect (HTTP ${reply.status}${where}); redirects are never followed`,
      'The phone sent rescue-ring somewhere else. If the phone only allows secure connections, register its address as https://ADDRESS; otherwise check the address is really the phone.',
    );
  }
  if (reply.status !== 200) {
    throw new PhoneBadResponse(
      `Phone ${address} answered HTTP ${reply.status}`,
      reply.status === 404
        ? 'The phone does not offer this function (it may be a different model, or not a Cisco phone). Check the address and tell IT the phone model.'
        : undefined,
    );
  }
}

/**
 * An Execute answer → its items, or the named error. A 200 with no Response object (empty, text,
 * HTML, other XML) is success with no items: multiplatform phones send no Response. A binary body is not.
 */
export function interpretExecuteReply(address: string, reply: RawReply): ResponseItem[] {
  const parsed = parseReply(reply.body, reply.contentType);
  throwIfPhoneError(address, reply, parsed);
  if (parsed.kind === 'binary') throw new PhoneBadResponse(`Phone ${address} answered with unreadable bytes instead of XML`);
  if (parsed.kind !== 'response') return [];
  if (parsed.items.some((i) => i.status !== 0)) throw PhoneRejected.fromItems(address, parsed.items);
  return parsed.items;
}

/** Case-insensitive lookup of a child element's text in a parsed tree node. */
export function childText(node: unknown, name: string): string | undefined {
  const a = attrs(node);
  const v = a[name.toLowerCase()];
  if (v === undefined || v === null) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'object' && first !== null) return str((first as Record<string, unknown>)['#text']).trim() || undefined;
  const s = str(first).trim();
  return s === '' ? undefined : s;
}
