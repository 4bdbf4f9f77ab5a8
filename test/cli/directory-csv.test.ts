import { describe, expect, it } from 'vitest';
import { CsvImportInvalid, parseImportCsv, toExportCsv } from '../../src/cli/directory-csv.js';
import type { PublicRegistration } from '../../src/store/types.js';

/** The problems of a file: those of the whole file (thrown) or of its lines (returned beside the rows that read). */
function problems(text: string): { line: number; userId?: string; reason: string }[] {
  try {
    const { problems: found } = parseImportCsv(text, 'T1');
    expect(found.length, 'expected problems').toBeGreaterThan(0);
    return found;
  } catch (err) {
    expect(err).toBeInstanceOf(CsvImportInvalid);
    return [...(err as CsvImportInvalid).problems];
  }
}

/** The registrations of a file without problems. */
const inputs = (text: string) => {
  const { rows, problems: found } = parseImportCsv(text, 'T1');
  expect(found).toEqual([]);
  return rows.map((r) => r.input);
};

describe('phone directory CSV', () => {
  it('reads quoted cells, a BOM, CRLF and columns in any order; keeps spaces in passwords', () => {
    const text = '\ufeffaddress,user,password\r\n"10.0.0.1:8080",U111," pass, with ""quotes"" "\r\nhttps://phone-2.example.lan,U222,\r\n';
    expect(inputs(text)).toEqual([
      { teamId: 'T1', userId: 'U111', address: '10.0.0.1:8080', password: ' pass, with "quotes" ', username: undefined, tone: undefined, rings: undefined },
      { teamId: 'T1', userId: 'U222', address: 'https://phone-2.example.lan', password: undefined, username: undefined, tone: undefined, rings: undefined },
    ]);
  });

  it('numbers lines from the start of each record, also after a cell spanning lines and blank lines', () => {
    const text = 'user,address,username\nU111,10.0.0.1,"two\nlines"\n\nU222,not an address,x\n';
    expect(problems(text)).toEqual([{ line: 5, userId: 'U222', reason: 'The phone address contains spaces or control characters' }]);
    expect(parseImportCsv(text, 'T1').rows.map((r) => [r.line, r.input.userId])).toEqual([[2, 'U111']]);
  });

  it('reports an unclosed quote, an empty file, a header without rows and duplicate columns', () => {
    expect(problems('user,address\nU111,"10.0.0.1\n')).toEqual([{ line: 2, reason: 'a quoted cell is never closed (a " is missing)' }]);
    expect(problems('')).toEqual([{ line: 1, reason: 'the file is empty; it needs a header row user,address,username,password,tone,rings' }]);
    expect(problems('user,address\n')).toEqual([{ line: 2, reason: 'there are no rows after the header' }]);
    expect(problems('user,address,user\nU1,x,y\n')).toEqual([{ line: 1, reason: 'column "user" appears twice' }]);
  });

  it('leaves what registerPhone decides to registerPhone: empty username and password cells, any tone name, rings out of range', () => {
    // No organisation defaults are known here: whether an empty cell is fine depends on the saved registration.
    expect(inputs('user,address,username,password,tone,rings\nU111,10.0.0.1,,,Piano2.raw,99\n')).toEqual([
      { teamId: 'T1', userId: 'U111', address: '10.0.0.1', username: undefined, password: undefined, tone: 'Piano2.raw', rings: 99 },
    ]);
    // What is about the cell itself stays here.
    expect(problems('user,address,password,rings\nU111,10.0.0.1,"a\tb",three\n')).toEqual([
      { line: 2, userId: 'U111', reason: 'the password contains control characters' },
      { line: 2, userId: 'U111', reason: 'rings must be a whole number, like 3; it is "three"' },
    ]);
  });

  it('never puts a password into a problem', () => {
    const found = problems('user,address,password,rings\nU111,10.0.0.1,Pa55-SECRET-xyz,zero\nU222,10.0.0.2,Pa55-SECRET-xyz\n');
    expect(found.map((p) => p.line)).toEqual([2, 3]);
    expect(JSON.stringify(found)).not.toContain('Pa55-SECRET-xyz');
  });

  it('exports what it can import back, quoting cells and defusing spreadsheet formulas (users choose their usernames)', () => {
    const row = (userId: string, address: string, username?: string): PublicRegistration & { username?: string } => ({
      teamId: 'T1',
      userId,
      address,
      username,
      permission: 'anyone',
      buddies: [],
      createdAt: new Date(0),
      updatedAt: new Date(0),
      hasOwnUsername: username !== undefined,
      hasOwnPassword: false,
    });
    const csv = toExportCsv([row('U111', '10.0.0.1', 'svc, "main"'), row('U222', 'phone-2', '=cmd'), row('U333', 'phone-3', 'two\nlines')]);
    expect(csv).toBe(['user,address,username,tone,rings', 'U111,10.0.0.1,"svc, ""main""",,', "U222,phone-2,'=cmd,,", 'U333,phone-3,"two\nlines",,', ''].join('\r\n'));
    expect(inputs(csv).map((r) => [r.userId, r.address, r.username])).toEqual([
      ['U111', '10.0.0.1', 'svc, "main"'],
      ['U222', 'phone-2', "'=cmd"],
      ['U333', 'phone-3', 'two\nlines'],
    ]);
  });
});
