/** The call-manager module's settings and results. Config builds CallManagerOptions from the CUCM_* variables. */

export interface CallManagerOptions {
  /** e.g. https://cucm.example.com:8443 (http:// for labs and the simulator); no path. */
  url: string;
  username: string;
  /** Secret: never logged, never in a message. */
  password: string;
  /** e.g. "12.5": the AXL SOAPAction and namespace carry it. */
  axlVersion: string;
  tls: { caFile?: string; fingerprint?: string; trustOnFirstUse: boolean };
  /** The port rescue-ring uses for a phone whose address came from the call manager. */
  phonePort: number;
  phoneScheme: 'http' | 'https';
  addressCacheSeconds: number;
  risPerMinute: number;
  staleAddressSeconds: number;
}

/** Deadlines of one SOAP request. */
export interface CallManagerTimeouts {
  /** TCP + TLS connect. Default 5 s. */
  connectMs?: number;
  /** The whole request, connect to last byte. Default 30 s (AXL SQL on a big cluster is slow). */
  totalMs?: number;
}

/** What RisPort70 says about one device name. */
export type DeviceState =
  | { kind: 'registered'; name: string; ip: string; timestamp: number; node: string; description?: string; loginUserId?: string }
  | { kind: 'unregistered'; name: string; status: string; timestamp: number; node: string }
  | { kind: 'unknown'; name: string };

export type DeviceKind = 'desk-phone' | 'softphone' | 'other';

/** A device AXL lists for a user (associated = controlled, or owned via device.fkenduser). */
export interface CallManagerDevice {
  /** As the call manager spells it; SEP names in capitals. */
  name: string;
  kind: DeviceKind;
  /** e.g. "Cisco 8845". */
  model: string;
  description: string;
}

export interface CallManagerUser {
  userid: string;
  mailid: string;
  devices: CallManagerDevice[];
}

/** An address the resolver found, and how fresh it is. */
export interface ResolvedAddress {
  name: string;
  ip: string;
  /** When RisPort last said the device was registered at `ip`. */
  seenAt: Date;
  /** cache: fresh enough; risport: just asked; stale: RisPort unavailable, last known address used. */
  source: 'cache' | 'risport' | 'stale';
}
