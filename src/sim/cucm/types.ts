/**
 * Contract of the simulated call manager (src/sim/cucm): one real HTTP server on loopback answering
 * AXL (executeSQLQuery) and RisPort70 (selectCmDevice, selectCmDeviceExt) in Cisco's envelopes, with
 * the accounts, roles, rate limit and faults of ../shared/reference/cucm-api.md.
 */

export interface SimCucmAccount {
  username: string;
  password: string;
  /** "Standard AXL API Access". Default true. */
  axl?: boolean;
  /** "Standard RealtimeAndTraceCollection". Default true. */
  ris?: boolean;
}

export interface SimCucmUser {
  userid: string;
  /** E-mail address as the call manager stores it (any case); absent = NULL. */
  mailid?: string;
}

export type SimDeviceStatus = 'Registered' | 'UnRegistered' | 'Rejected' | 'PartiallyRegistered';

export interface SimCucmDevice {
  /** e.g. SEP001122AABBCC, CSFALICE. */
  name: string;
  /** typemodel name; default from the prefix ("Cisco 8845" for SEP). */
  model?: string;
  description?: string;
  /** Owner User ID (device.fkenduser). */
  owner?: string;
  /** Users with the device among their controlled devices (enduserdevicemap, tkuserassociation 1). */
  associated?: string[];
  /** Default Registered. */
  status?: SimDeviceStatus;
  /** IPv4 address while registered (e.g. the simulated phone's 127.0.0.x). */
  ip?: string;
  /**
   * A second node also lists the device (failover), with this status, `offsetSeconds` after the real
   * entry's TimeStamp (negative = older, the usual stale entry; positive = newer, so it wins).
   */
  otherNode?: { status: SimDeviceStatus; offsetSeconds: number };
}

export interface SimCucmFaults {
  /** Delay before every answer, ms. */
  slowMs: number;
  /** The port refuses connections (closed); clearing it listens again on the same port. */
  down: boolean;
  /** 401 for every request, whatever the credentials. */
  unauthorized: boolean;
  /** Every RisPort query answers the Server.RateControl fault. */
  rateLimited: boolean;
  /** Answer 200 with a body that is not XML. */
  garbage: boolean;
  /** Answer 200 with a valid envelope padded past 5 MiB. */
  huge: boolean;
  /** Answer with an envelope carrying a DOCTYPE and an entity declaration. */
  doctype: boolean;
}

export interface SimCucmOptions {
  /** Default one account "rescue-ring" / "sim-cucm-secret" with both roles. */
  accounts?: SimCucmAccount[];
  users?: SimCucmUser[];
  devices?: SimCucmDevice[];
  /** RisPort's "Allowed Device Queries Per Minute". Default 15. */
  risPerMinute?: number;
  /** AXL's row limit before "-1 Query request too large" (the real one counts 8 MB). Default 100000. */
  maxAxlRows?: number;
  /** Time for the rate limit and TimeStamps. Default the system clock. */
  clock?: () => Date;
  /** Node names; devices register on the first, `otherNode` entries sit on the second. */
  nodes?: [string, string];
  faults?: Partial<SimCucmFaults>;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Serve HTTPS with the simulator-only self-signed certificate (src/sim/certs), like Tomcat's. */
  https?: boolean;
}

/** One request as received (never the password). */
export interface SimCucmRequest {
  at: number;
  api: 'AXL' | 'RisPort70' | 'other';
  operation: string;
  username?: string;
  /** The SQL of an executeSQLQuery; the names of a RisPort query. */
  sql?: string;
  names?: string[];
  /** What was answered: 'ok', 'fault', '401', '403', 'rate', ... */
  outcome: string;
}
