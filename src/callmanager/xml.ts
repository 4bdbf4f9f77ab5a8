/**
 * Reading SOAP answers safely: a DOCTYPE (and with it any entity declaration) is refused before
 * parsing, the parser expands no entities at all, and the five predefined entities and character
 * references are decoded by hand in leaf text only (so "billion laughs" and external entities cannot
 * happen). Namespace prefixes are dropped: Cisco answers with ns1:, soapenv:, axlapi: at will.
 */
import { XMLParser } from 'fast-xml-parser';

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  // Lists are always arrays, even with one element: RisPort's item, AXL's row.
  isArray: (name) => name === 'item' || name === 'row',
});

/** Undefined when the text holds a DOCTYPE or cannot be parsed as XML. */
export function parseSoap(text: string): XmlNode | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return undefined;
  try {
    const tree = parser.parse(text, true) as XmlNode;
    return Object.keys(tree).length > 0 ? tree : undefined;
  } catch {
    return undefined;
  }
}

/** True when the text declares a DOCTYPE or an entity (refused, never parsed). */
export function hasDoctype(text: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(text);
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode the predefined entities and character references of one text value; anything else stays as written. */
export function decodeText(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

/** The child object at `key` (the first when repeated); undefined when absent or a text. */
export function child(node: unknown, key: string): XmlNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[key];
  const first = Array.isArray(v) ? v[0] : v;
  return first !== null && typeof first === 'object' ? (first as XmlNode) : undefined;
}

/** The decoded text at `key`; '' when absent or empty. */
export function text(node: unknown, key: string): string {
  if (node === null || typeof node !== 'object') return '';
  const v = (node as XmlNode)[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return decodeText(first);
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return '';
}

/** The elements named `key` under node (isArray keeps item/row as arrays). */
export function list(node: unknown, key: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const v = (node as XmlNode)[key];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.filter((x): x is XmlNode => x !== null && typeof x === 'object');
}

