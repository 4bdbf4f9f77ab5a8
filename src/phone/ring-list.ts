/**
 * The call manager's ring list (`RingList.xml`, `Ringlist-wb.xml`, `DistinctiveRingList.xml`):
 *
 *   <CiscoIPPhoneRingList>
 *     <Ring><DisplayName>Chime</DisplayName><FileName>Chime.raw</FileName></Ring>
 *   </CiscoIPPhoneRingList>
 *
 * At most 50 <Ring> entries; DisplayName and FileName at most 25 characters (reference §6).
 * Lenient XML (declaration optional, any case of element names, comments, a BOM, stray `&`, an
 * iso-8859-1 file given as bytes), strict content: every problem is collected with the line of its
 * <Ring> and thrown as one InvalidRingList. Tones on the deny list (Piano2.raw, crashes phones) are
 * dropped with a warning rather than failing a stock file. For `rescue-ring tones import`.
 *
 * fast-xml-parser's `captureMetaData` gives each element's start offset (line numbers without a
 * hand-written tokenizer); its validator gives the line and column of a syntax error.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../errors.js';
import { decodeBody } from './parse.js';
import { DENIED_TONES, TONE_NAME_PATTERN } from './tones.js';

export const MAX_RING_LIST_ENTRIES = 50;
export const MAX_RING_NAME_CHARS = 25;

export interface RingListTone {
  displayName: string;
  fileName: string;
}

/** One problem, on a 1-based line of the file (0 when it concerns the whole file). */
export interface RingListProblem {
  line: number;
  message: string;
}

export interface RingList {
  tones: RingListTone[];
  /** Entries dropped on purpose (deny list); the import goes on. */
  warnings: RingListProblem[];
}

/** The file is not a usable ring list; `problems` lists every one, with its line. */
export class InvalidRingList extends AppError {
  readonly code = 'InvalidRingList';
  constructor(readonly problems: readonly RingListProblem[]) {
    super(
      `The ring list has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`,
      'Fix the lines listed and import the file again. A ring list is <CiscoIPPhoneRingList> with up to 50 <Ring> entries, ' +
        'each with a <DisplayName> (what people see) and a <FileName> (the file on the call manager, e.g. Chime.raw; ' +
        'letters, digits, dot, dash and underscore), both at most 25 characters. Export it again from the call manager if unsure.',
    );
  }
}

function formatProblem(p: RingListProblem): string {
  return p.line > 0 ? `line ${p.line}: ${p.message}` : p.message;
}

type Node = Record<string, unknown>;

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  alwaysCreateTextNode: true,
  captureMetaData: true,
  transformTagName: (n) => n.toLowerCase(),
  isArray: () => true,
});

// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Escape `&` that starts no entity (files edited by hand); adds characters, never line breaks. */
function escapeStrayAmpersands(text: string): string {
  return text.replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]{0,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g, '&amp;');
}

function lineAt(text: string, index: number | undefined): number {
  if (index === undefined) return 0;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line of an element's start tag, from the parser's metadata (0 when unknown). */
function lineOf(text: string, node: Node | undefined): number {
  const meta = node ? ((node as Record<symbol, unknown>)[META] as { startIndex?: number } | undefined) : undefined;
  return lineAt(text, meta?.startIndex);
}

function children(node: Node, name: string): Node[] {
  const v = node[name];
  return Array.isArray(v) ? (v as Node[]) : [];
}

function textOf(node: Node): string {
  const t = node['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : String(t);
}

function shown(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

/** Parse and check a CiscoIPPhoneRingList. Throws InvalidRingList listing every problem. */
export function parseRingList(input: string | Buffer): RingList {
  const raw = typeof input === 'string' ? input : decodeBody(input, undefined);
  const text = escapeStrayAmpersands(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
  if (text.trim() === '') throw new InvalidRingList([{ line: 0, message: 'the file is empty' }]);

  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw new InvalidRingList([{ line: lineAt(text, doctype.index), message: 'a <!DOCTYPE> is not allowed in a ring list' }]);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new InvalidRingList([{ line: valid.err.line, message: `not well-formed XML (column ${valid.err.col}): ${valid.err.msg}` }]);
  }
  const tree = parser.parse(text) as Node;
  const roots = Object.keys(tree).filter((k) => !k.startsWith('?') && k !== '#text');
  const listName = 'ciscoipphoneringlist';
  if (roots.length !== 1 || roots[0] !== listName) {
    const root = children(tree, roots[0] ?? '')[0];
    throw new InvalidRingList([
      { line: lineOf(text, root), message: `the root element must be <CiscoIPPhoneRingList>, not <${roots[0] ?? 'nothing'}>` },
    ]);
  }
  const list = children(tree, listName)[0]!;
  const rings = children(list, 'ring');
  const problems: RingListProblem[] = [];
  const warnings: RingListProblem[] = [];
  const tones: RingListTone[] = [];
  const seenFile = new Map<string, number>();
  const seenName = new Map<string, number>();
  const denied = DENIED_TONES.map((d) => d.toLowerCase());

  if (rings.length === 0) problems.push({ line: lineOf(text, list), message: 'the list has no <Ring> entries' });
  for (const other of Object.keys(list).filter((k) => k !== 'ring' && k !== '#text')) {
    for (const node of children(list, other)) {
      problems.push({ line: lineOf(text, node), message: `unexpected <${other}> element (only <Ring> entries belong in the list)` });
    }
  }

  rings.forEach((ringNode, index) => {
    const line = lineOf(text, ringNode);
    const bad = (message: string): void => {
      problems.push({ line, message });
    };
    if (index === MAX_RING_LIST_ENTRIES) bad(`too many rings: ${rings.length} listed, phones accept at most ${MAX_RING_LIST_ENTRIES}; the first one too many starts here`);
    for (const other of Object.keys(ringNode).filter((k) => k !== 'displayname' && k !== 'filename' && k !== '#text')) {
      bad(`unexpected <${other}> in a <Ring> (only <DisplayName> and <FileName>)`);
    }
    const fields: Record<'displayname' | 'filename', string | undefined> = { displayname: undefined, filename: undefined };
    for (const [tag, label] of [
      ['displayname', 'DisplayName'],
      ['filename', 'FileName'],
    ] as const) {
      const nodes = children(ringNode, tag);
      if (nodes.length === 0) {
        bad(`<${label}> is missing`);
        continue;
      }
      if (nodes.length > 1) bad(`<${label}> appears ${nodes.length} times; a <Ring> has one`);
      const nested = Object.keys(nodes[0]!).filter((k) => k !== '#text');
      if (nested.length > 0) {
        bad(`<${label}> must hold plain text, not <${nested[0]}>`);
        continue;
      }
      const value = textOf(nodes[0]!);
      const chars = [...value].length;
      if (value === '') bad(`<${label}> is empty`);
      else if (chars > MAX_RING_NAME_CHARS) bad(`<${label}> ${shown(value)} is ${chars} characters; at most ${MAX_RING_NAME_CHARS}`);
      else if (CONTROL.test(value)) bad(`<${label}> contains control characters`);
      else fields[tag] = value;
    }
    const { displayname: displayName, filename: fileName } = fields;
    if (fileName !== undefined && !TONE_NAME_PATTERN.test(fileName)) {
      bad(`<FileName> ${shown(fileName)} is not a valid file name (letters, digits, ".", "-", "_"; no spaces)`);
      return;
    }
    if (displayName === undefined || fileName === undefined) return;
    if (denied.includes(fileName.toLowerCase())) {
      warnings.push({ line, message: `${fileName} left out: it is on the deny list (reported to crash phones)` });
      return;
    }
    const fileSeen = seenFile.get(fileName);
    if (fileSeen !== undefined) {
      bad(`<FileName> ${fileName} is already listed on line ${fileSeen}`);
      return;
    }
    const nameSeen = seenName.get(displayName.toLowerCase());
    if (nameSeen !== undefined) {
      bad(`<DisplayName> ${shown(displayName)} is already used on line ${nameSeen}; people could not tell the two apart`);
      return;
    }
    seenFile.set(fileName, line);
    seenName.set(displayName.toLowerCase(), line);
    tones.push({ displayName, fileName });
  });

  if (problems.length > 0) throw new InvalidRingList(problems);
  if (tones.length === 0) throw new InvalidRingList([{ line: 0, message: 'no usable ringtone is left once the deny list is applied' }]);
  return { tones, warnings };
}
