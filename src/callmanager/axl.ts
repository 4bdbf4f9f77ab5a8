/**
 * AXL: which call-manager user has a given e-mail address, and which devices are theirs.
 *
 * Why executeSQLQuery and not listUser: listUser's searchCriteria hold only firstName, lastName,
 * userid and department (11.5, 12.5 and 14.0 schemas): it cannot filter by e-mail, and LUser carries no
 * associatedDevices, so finding one person would mean listing every user. One SQL query on
 * enduser.mailid answers exactly the question, case-insensitively, in one round trip.
 *
 * SQL is built from literals rescue-ring checked, never escaped cleverly: an e-mail address must match
 * a strict charset (no quote, no backslash, no blank), a pkid must be a UUID, page numbers are integers.
 * Anything else is refused before a query is written.
 *
 * A user's devices: controlled devices (enduserdevicemap, tkuserassociation = 1) UNION devices whose
 * Owner User ID (device.fkenduser) is the user, each with its model name (typemodel) and description.
 */
import { escapeXml } from '../phone/xml.js';
import { classifyDevice } from './device-name.js';
import { AxlFault, CallManagerBadResponse, CallManagerUserAmbiguous, UnusableEmail } from './errors.js';
import type { SoapTransport } from './soap.js';
import type { CallManagerDevice, CallManagerUser } from './types.js';
import { child, list, text, type XmlNode } from './xml.js';

export const AXL_PATH = '/axl/';
/** Users per page of the bulk listing; halved whenever AXL answers "Query request too large". */
export const DEFAULT_BULK_PAGE = 1000;

const EMAIL = /^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const PKID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The e-mail address in lower case, or UnusableEmail when it has characters outside a plain address's. */
export function checkEmail(email: string): string {
  const e = email.trim();
  if (e.length > 254 || !EMAIL.test(e)) throw new UnusableEmail();
  return e.toLowerCase();
}

function pkidLiteral(pkid: string): string {
  if (!PKID.test(pkid)) throw new CallManagerBadResponse(`AXL listed a user whose pkid is not a UUID (${JSON.stringify(pkid.slice(0, 40))})`, 'AXL');
  return `'${pkid.toLowerCase()}'`;
}

const DEVICE_COLUMNS = 'eu.pkid, eu.userid, d.name, d.description, tm.name as model';
const ASSOCIATED =
  `select ${DEVICE_COLUMNS} from enduser eu join enduserdevicemap m on m.fkenduser = eu.pkid ` +
  'join device d on d.pkid = m.fkdevice join typemodel tm on tm.enum = d.tkmodel where ';
const OWNED = `select ${DEVICE_COLUMNS} from enduser eu join device d on d.fkenduser = eu.pkid join typemodel tm on tm.enum = d.tkmodel where `;

/** The SQL rescue-ring sends (exported for the simulator's tests and for reading; not for building other SQL). */
export const sql = {
  usersByEmail: (email: string) => `select eu.pkid, eu.userid, eu.mailid from enduser eu where lower(eu.mailid) = '${checkEmail(email)}'`,
  devicesByEmail: (email: string) => {
    const where = `lower(eu.mailid) = '${checkEmail(email)}'`;
    return `${ASSOCIATED}${where} and m.tkuserassociation = 1 union ${OWNED}${where}`;
  },
  usersPage: (skip: number, first: number) => {
    if (!Number.isSafeInteger(skip) || skip < 0 || !Number.isSafeInteger(first) || first < 1) throw new RangeError('skip/first must be integers');
    return `select skip ${skip} first ${first} eu.pkid, eu.userid, eu.mailid from enduser eu where eu.mailid is not null and eu.mailid != '' order by eu.pkid`;
  },
  devicesForPkids: (from: string, to: string) => {
    const where = `eu.pkid between ${pkidLiteral(from)} and ${pkidLiteral(to)}`;
    return `${ASSOCIATED}${where} and m.tkuserassociation = 1 union ${OWNED}${where}`;
  },
};

export class AxlClient {
  constructor(
    private readonly transport: SoapTransport,
    private readonly version: string,
  ) {
    if (!/^\d{1,2}\.\d$/.test(version)) throw new RangeError(`AXL version "${version}" is not like 12.5`);
  }

  /** executeSQLQuery: one record per row, column name → decoded text ('' for NULL). */
  async executeSqlQuery(query: string, signal?: AbortSignal): Promise<Record<string, string>[]> {
    const envelope =
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/${this.version}">` +
      `<soapenv:Body><ns:executeSQLQuery><sql>${escapeXml(query)}</sql></ns:executeSQLQuery></soapenv:Body></soapenv:Envelope>`;
    const body = await this.transport.call({
      api: 'AXL',
      path: AXL_PATH,
      soapAction: `"CUCM:DB ver=${this.version} executeSQLQuery"`,
      operation: 'executeSQLQuery',
      envelope,
      ...(signal ? { signal } : {}),
    });
    const response = child(body, 'executeSQLQueryResponse');
    if (!response) throw new CallManagerBadResponse(`AXL at ${this.transport.host} answered executeSQLQuery without an executeSQLQueryResponse`, 'AXL');
    return list(child(response, 'return'), 'row').map(rowRecord);
  }

  /**
   * The call-manager user whose e-mail address is `email` (any case), with their devices; undefined when
   * none. Throws UnusableEmail for an address outside the strict charset and CallManagerUserAmbiguous
   * when several users share it.
   */
  async findUserByEmail(email: string, signal?: AbortSignal): Promise<CallManagerUser | undefined> {
    const users = await this.executeSqlQuery(sql.usersByEmail(email), signal);
    if (users.length === 0) return undefined;
    if (users.length > 1) throw new CallManagerUserAmbiguous(users.map((u) => u.userid ?? '?').sort());
    const user = users[0]!;
    const rows = await this.executeSqlQuery(sql.devicesByEmail(email), signal);
    return { userid: user.userid ?? '', mailid: user.mailid ?? '', devices: devicesOf(rows) };
  }

  /**
   * Every end user with an e-mail address, with their devices, for `phones sync`: users a page at a time
   * (SKIP/FIRST ordered by pkid), then the devices of each page's pkid range in one query. A page that
   * AXL finds too large (-1 "Query request too large") is halved until it fits.
   */
  async listUsersWithDevices(options: { pageSize?: number; signal?: AbortSignal } = {}): Promise<CallManagerUser[]> {
    let pageSize = options.pageSize ?? DEFAULT_BULK_PAGE;
    const out: CallManagerUser[] = [];
    for (let skip = 0; ; ) {
      let page: Record<string, string>[];
      try {
        page = await this.executeSqlQuery(sql.usersPage(skip, pageSize), options.signal);
      } catch (err) {
        if (err instanceof AxlFault && err.tooLarge && pageSize > 1) {
          pageSize = Math.max(1, Math.floor(pageSize / 2));
          continue;
        }
        throw err;
      }
      if (page.length === 0) break;
      out.push(...(await this.devicesOfPage(page, options.signal)));
      skip += page.length;
      if (page.length < pageSize) break;
    }
    return out;
  }

  private async devicesOfPage(page: Record<string, string>[], signal?: AbortSignal): Promise<CallManagerUser[]> {
    const sorted = [...page].sort((a, b) => ((a.pkid ?? '').toLowerCase() < (b.pkid ?? '').toLowerCase() ? -1 : 1));
    let rows: Record<string, string>[];
    try {
      rows = await this.executeSqlQuery(sql.devicesForPkids(sorted[0]!.pkid ?? '', sorted[sorted.length - 1]!.pkid ?? ''), signal);
    } catch (err) {
      if (err instanceof AxlFault && err.tooLarge && sorted.length > 1) {
        const half = Math.ceil(sorted.length / 2);
        return [...(await this.devicesOfPage(sorted.slice(0, half), signal)), ...(await this.devicesOfPage(sorted.slice(half), signal))];
      }
      throw err;
    }
    const byPkid = new Map<string, Record<string, string>[]>();
    for (const r of rows) {
      const k = (r.pkid ?? '').toLowerCase();
      byPkid.set(k, [...(byPkid.get(k) ?? []), r]);
    }
    return sorted.map((u) => ({ userid: u.userid ?? '', mailid: u.mailid ?? '', devices: devicesOf(byPkid.get((u.pkid ?? '').toLowerCase()) ?? []) }));
  }
}

function rowRecord(row: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(row)) out[key.toLowerCase()] = text(row, key);
  return out;
}

/** One entry per device name (a device both controlled and owned is listed once), SEP names in capitals, sorted. */
function devicesOf(rows: readonly Record<string, string>[]): CallManagerDevice[] {
  const seen = new Map<string, CallManagerDevice>();
  for (const r of rows) {
    const raw = (r.name ?? '').trim();
    if (raw === '') continue;
    const kind = classifyDevice(raw);
    const name = kind === 'desk-phone' ? raw.toUpperCase() : raw;
    if (!seen.has(name)) seen.set(name, { name, kind, model: r.model ?? '', description: r.description ?? '' });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}
