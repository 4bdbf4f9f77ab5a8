/**
 * The little Informix SQL the simulated AXL understands: SELECT (with SKIP/FIRST) of enduser, alone or
 * joined with enduserdevicemap/device/typemodel, WHERE terms joined by AND (lower(eu.mailid) = '...',
 * eu.pkid between '...' and '...', m.tkuserassociation = N, eu.mailid is not null, eu.mailid != ''),
 * ORDER BY one column, arms joined by UNION. Whitespace and keyword case are free. Anything else is
 * refused like real AXL refuses SQL it cannot run: a SqlRefused the server turns into an AXL fault.
 */

export interface Tables {
  enduser: { pkid: string; userid: string; mailid: string | null }[];
  device: { pkid: string; name: string; description: string; tkmodel: number; fkenduser: string | null }[];
  enduserdevicemap: { fkenduser: string; fkdevice: string; tkuserassociation: number }[];
  typemodel: { enum: number; name: string }[];
}

export class SqlRefused extends Error {
  constructor(
    readonly axlCode: number,
    message: string,
  ) {
    super(message);
  }
}

type Row = Record<string, Record<string, string | number | null>>;
export type ResultRow = Record<string, string>;

const syntax = () => new SqlRefused(-201, 'A syntax error has occurred.');

const FROM: Record<string, string[]> = {
  'enduser eu': ['eu'],
  'enduser eu join enduserdevicemap m on m.fkenduser = eu.pkid join device d on d.pkid = m.fkdevice join typemodel tm on tm.enum = d.tkmodel': ['eu', 'm', 'd', 'tm'],
  'enduser eu join device d on d.fkenduser = eu.pkid join typemodel tm on tm.enum = d.tkmodel': ['eu', 'd', 'tm'],
};

const LIT = "'((?:[^']|'')*)'";
const TERMS: { re: RegExp; test: (m: RegExpExecArray) => (r: Row) => boolean; needs: string }[] = [
  { re: new RegExp(`^lower\\(eu\\.mailid\\) = ${LIT}`, 'i'), needs: 'eu', test: (m) => (r) => (r.eu!.mailid as string | null)?.toLowerCase() === unquote(m[1]!).toLowerCase() },
  {
    re: new RegExp(`^eu\\.pkid between ${LIT} and ${LIT}`, 'i'),
    needs: 'eu',
    test: (m) => (r) => {
      const p = r.eu!.pkid as string;
      return p >= unquote(m[1]!) && p <= unquote(m[2]!);
    },
  },
  { re: /^m\.tkuserassociation = (\d+)/i, needs: 'm', test: (m) => (r) => r.m!.tkuserassociation === Number(m[1]) },
  { re: /^eu\.mailid is not null/i, needs: 'eu', test: () => (r) => r.eu!.mailid !== null },
  { re: /^eu\.mailid != ''/i, needs: 'eu', test: () => (r) => r.eu!.mailid !== '' },
];

function unquote(s: string): string {
  return s.replace(/''/g, "'");
}

/** Runs one query; throws SqlRefused for anything outside the grammar above. */
export function runSql(sql: string, t: Tables): ResultRow[] {
  const text = sql.replace(/\s+/g, ' ').trim().replace(/;$/, '');
  if (text.includes(';')) throw syntax();
  const arms = text.split(/ union /i);
  const seen = new Set<string>();
  const out: ResultRow[] = [];
  for (const arm of arms) {
    for (const row of runArm(arm, t, arms.length > 1)) {
      const key = JSON.stringify(row);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(row);
    }
  }
  return out;
}

function runArm(arm: string, t: Tables, inUnion: boolean): ResultRow[] {
  const m = /^select (?:skip (\d+) )?(?:first (\d+) )?(.+?) from (.+?) where (.+?)(?: order by (eu|d)\.(\w+))?$/i.exec(arm);
  if (!m) throw syntax();
  const [, skip, first, colText, fromText, whereText, orderAlias, orderCol] = m;
  if (inUnion && (skip || first || orderAlias)) throw syntax();
  const aliases = FROM[fromText!.toLowerCase()];
  if (!aliases) throw new SqlRefused(-206, `The specified table (${fromText!.split(' ')[0]}) is not in the database.`);
  const cols = colText!.split(/\s*,\s*/).map((c) => {
    const cm = /^(eu|m|d|tm)\.(\w+)(?: as (\w+))?$/i.exec(c);
    if (!cm || !aliases.includes(cm[1]!.toLowerCase())) throw new SqlRefused(-217, `Column (${c}) not found in any table in the query (or SLV is undefined).`);
    return { alias: cm[1]!.toLowerCase(), col: cm[2]!.toLowerCase(), as: (cm[3] ?? cm[2]!).toLowerCase() };
  });
  const filters: ((r: Row) => boolean)[] = [];
  let rest = whereText!;
  while (rest.length > 0) {
    const term = TERMS.map((x) => ({ x, m: x.re.exec(rest) })).find((f) => f.m !== null);
    if (!term || !aliases.includes(term.x.needs)) throw syntax();
    filters.push(term.x.test(term.m!));
    rest = rest.slice(term.m![0].length);
    if (rest === '') break;
    if (!/^ and /i.test(rest)) throw syntax();
    rest = rest.slice(5);
  }
  let rows = joined(aliases, t).filter((r) => filters.every((f) => f(r)));
  if (orderAlias) {
    const a = orderAlias.toLowerCase();
    const c = orderCol!.toLowerCase();
    if (!aliases.includes(a)) throw syntax();
    rows = rows.sort((x, y) => String(x[a]![c] ?? '').localeCompare(String(y[a]![c] ?? '')));
  }
  rows = rows.slice(Number(skip ?? 0), first ? Number(skip ?? 0) + Number(first) : undefined);
  return rows.map((r) => {
    const o: ResultRow = {};
    for (const c of cols) {
      const table = r[c.alias]!;
      if (!(c.col in table)) throw new SqlRefused(-217, `Column (${c.col}) not found in any table in the query (or SLV is undefined).`);
      const v = table[c.col];
      o[c.as] = v === null || v === undefined ? '' : String(v);
    }
    return o;
  });
}

function joined(aliases: string[], t: Tables): Row[] {
  if (aliases.length === 1) return t.enduser.map((eu) => ({ eu }));
  const model = (d: Tables['device'][number]) => t.typemodel.find((x) => x.enum === d.tkmodel);
  const out: Row[] = [];
  if (aliases.includes('m')) {
    for (const m of t.enduserdevicemap) {
      const eu = t.enduser.find((u) => u.pkid === m.fkenduser);
      const d = t.device.find((x) => x.pkid === m.fkdevice);
      const tm = d && model(d);
      if (eu && d && tm) out.push({ eu, m, d, tm });
    }
    return out;
  }
  for (const d of t.device) {
    const eu = t.enduser.find((u) => u.pkid === d.fkenduser);
    const tm = model(d);
    if (eu && tm) out.push({ eu, d, tm });
  }
  return out;
}
