/**
 * Finding people's desk phones through the call manager (issue 14): the phones the call manager lists
 * for a person (matched by their Slack profile e-mail), registering one of them with a click, the
 * automatic registration on a person's first /rescue, and the bulk `phones sync`.
 *
 * A phone found this way is stored with its device name as address (resolved at ring time) and a
 * `source`: 'callmanager' when its owner saved or used it, 'callmanager-unconfirmed' when an operator
 * saved it (`phones sync --apply`); colleagues cannot ring an unconfirmed one (lookup.ts).
 */
import { isAppError } from '../errors.js';
import type { CallManagerDevice, CallManagerUser } from '../callmanager/index.js';
import type { GuardedInput, PublicRegistration, Registration, RegistrationInput, RegistrationSource } from '../store/types.js';
import { audit, auditError, type AuditFacts } from './audit.js';
import type { RescueDeps } from './deps.js';
import { findRegistration } from './lookup.js';
import { registerPhone } from './register.js';
import type { KeptField } from './registration-merge.js';
import { FoundPhoneNotYours, SyncNeedsSharedAccount } from './find-phones-errors.js';

export { FoundPhoneNotYours, SyncNeedsSharedAccount } from './find-phones-errors.js';

export interface Person {
  teamId: string;
  userId: string;
  /** The Slack profile e-mail (users.info profile.email); absent when Slack gave none. */
  email?: string;
}

/** One device the call manager lists for the person. */
export interface FoundDevice extends CallManagerDevice {
  /** Desk phones only, from one RisPort query; absent when RisPort could not be asked. */
  registered?: boolean;
  /** Only desk phones can be rung, so only they are offered. */
  offered: boolean;
}

export type NoPhoneReason = 'no-call-manager' | 'no-email' | 'no-user' | 'no-desk-phone' | 'call-manager-error';

export type FoundPhones =
  | { found: true; userid: string; devices: FoundDevice[]; deskPhones: FoundDevice[] }
  | { found: false; reason: NoPhoneReason; message: string; devices: FoundDevice[] };

const REASONS: Record<Exclude<NoPhoneReason, 'call-manager-error'>, string> = {
  'no-call-manager': 'No call manager is configured.',
  'no-email': 'Your Slack profile has no e-mail address, so rescue-ring cannot look your phone up in the call manager.',
  'no-user': 'The call manager has no user with your Slack e-mail address.',
  'no-desk-phone': 'The call manager lists no desk phone for you.',
};

/** The person's devices as the call manager lists them, with each desk phone's registration (one RisPort query). Never throws for the call manager's failures: they are a reason. */
export async function deskPhonesFor(deps: Pick<RescueDeps, 'callManager' | 'logger'>, person: Person): Promise<FoundPhones> {
  const cm = deps.callManager;
  if (!cm) return { found: false, reason: 'no-call-manager', message: REASONS['no-call-manager'], devices: [] };
  if (!person.email) return { found: false, reason: 'no-email', message: REASONS['no-email'], devices: [] };
  let user: CallManagerUser | undefined;
  try {
    user = await cm.axl.findUserByEmail(person.email);
  } catch (err) {
    return callManagerError(deps, person, err);
  }
  if (!user) return { found: false, reason: 'no-user', message: REASONS['no-user'], devices: [] };
  // Through the resolver: lookups made together go as one RisPort query, and its cache (shared with
  // ring time) spares RisPort's small budget when /phone and App Home are opened often.
  const desk = user.devices.filter((d) => d.kind === 'desk-phone');
  const settled = await Promise.allSettled(desk.map((d) => cm.resolver.lookup(d.name)));
  const registered = new Map<string, boolean>();
  settled.forEach((r, i) => {
    const name = desk[i]!.name;
    if (r.status === 'fulfilled') registered.set(name, true);
    else if (isAppError(r.reason) && (r.reason.code === 'DeviceNotRegistered' || r.reason.code === 'DeviceUnknown')) registered.set(name, false);
    else deps.logger.warn({ err: r.reason, teamId: person.teamId, userId: person.userId, device: name }, 'the call manager could not say whether the desk phone is registered');
  });
  const devices = user.devices.map((d): FoundDevice => {
    const offered = d.kind === 'desk-phone';
    const state = offered ? registered.get(d.name) : undefined;
    return { ...d, offered, ...(state !== undefined ? { registered: state } : {}) };
  });
  const deskPhones = devices.filter((d) => d.offered);
  if (deskPhones.length === 0) return { found: false, reason: 'no-desk-phone', message: REASONS['no-desk-phone'], devices };
  return { found: true, userid: user.userid, devices, deskPhones };
}

function callManagerError(deps: Pick<RescueDeps, 'logger'>, person: Person, err: unknown): FoundPhones {
  if (!isAppError(err)) throw err;
  deps.logger.warn({ err, teamId: person.teamId, userId: person.userId }, 'the call manager could not list the person\'s phones');
  return { found: false, reason: 'call-manager-error', message: err.hint, devices: [] };
}

export interface RegisterFoundInput extends Person {
  /** The device name chosen (SEP...). */
  device: string;
  /** The phone password, when the office has no shared phone account. */
  password?: string;
}

/**
 * Registers one of the person's own desk phones (checked again against the call manager, so a crafted
 * button cannot register someone else's) through registerPhone, with the device name as address and
 * the office's shared phone account; keeps the person's other settings.
 */
export async function registerFoundPhone(deps: RescueDeps, input: RegisterFoundInput, actorId: string = input.userId): Promise<Registration> {
  const device = input.device.trim().toUpperCase();
  const found = await deskPhonesFor(deps, input);
  if (!found.found || !found.deskPhones.some((d) => d.name === device)) {
    const err = new FoundPhoneNotYours(device, found.found ? undefined : found.message);
    await auditError(deps, { teamId: input.teamId, actorId, targetId: input.userId, action: 'register' }, err, 'call manager');
    throw err;
  }
  return saveFound(deps, input, device, actorId === input.userId ? 'callmanager' : 'callmanager-unconfirmed', actorId);
}

async function saveFound(deps: RescueDeps, input: RegisterFoundInput, device: string, source: RegistrationSource, actorId: string): Promise<Registration> {
  // The person's ringtone, rings, pause, who may ring and cover story are kept (registration-merge.ts); their
  // own username and password only without a shared phone account: a found phone uses the shared account instead.
  const keep: KeptField[] = ['tone', 'rings', 'intervalSeconds', 'permission', 'buddies', 'coverStory', ...(hasSharedPhoneAccount(deps) ? [] : (['username', 'password'] as const))];
  return registerPhone(
    deps,
    {
      teamId: input.teamId,
      userId: input.userId,
      address: device,
      ...(input.password !== undefined && input.password !== '' ? { password: input.password } : {}),
      source,
    },
    { actorId, keep },
  );
}

/** True when the office has a shared phone account, so a found phone needs no password. */
export function hasSharedPhoneAccount(deps: Pick<RescueDeps, 'settings'>): boolean {
  return deps.settings.defaults.username !== undefined && deps.settings.defaults.password !== undefined;
}

export type OwnPhoneNote = { kind: 'registered'; device: string; model: string } | { kind: 'confirmed'; device: string } | { kind: 'none' };

/**
 * Before a person's own /rescue: a person with no registration and exactly one desk phone in the
 * call manager gets it registered (with the shared phone account); a phone an operator found for them
 * (unconfirmed) is confirmed by their using it. Never throws: the rescue goes on as it would have.
 */
export async function prepareOwnPhone(deps: RescueDeps, person: Person): Promise<OwnPhoneNote> {
  if (!deps.callManager) return { kind: 'none' };
  try {
    const existing = await findRegistration(deps, person);
    if (existing) {
      if (existing.source !== 'callmanager-unconfirmed') return { kind: 'none' };
      // Compare-and-set on the row read: a save in between wins, and this confirmation waits for the next /rescue.
      await deps.directory.put({ ...publicInput(existing), source: 'callmanager', ifUpdatedAt: existing.updatedAt }, { keepSecrets: true });
      await audit(deps, { teamId: person.teamId, actorId: person.userId, targetId: person.userId, action: 'register' }, 'ok', { detail: 'call manager: confirmed by its owner' });
      return { kind: 'confirmed', device: existing.address };
    }
    if (!hasSharedPhoneAccount(deps)) return { kind: 'none' };
    // "Never registered": someone who removed their phone (Forget) is not signed up again behind their back.
    const history = await deps.audit.query({ teamId: person.teamId, userId: person.userId, limit: 200 });
    if (history.some((e) => e.action === 'forget' && e.targetId === person.userId && e.outcome === 'ok')) return { kind: 'none' };
    const found = await deskPhonesFor(deps, person);
    if (!found.found || found.deskPhones.length !== 1) return { kind: 'none' };
    const phone = found.deskPhones[0]!;
    await saveFound(deps, { ...person, device: phone.name }, phone.name, 'callmanager', person.userId);
    return { kind: 'registered', device: phone.name, model: phone.model };
  } catch (err) {
    deps.logger.warn({ err, teamId: person.teamId, userId: person.userId }, 'could not register the phone found in the call manager');
    return { kind: 'none' };
  }
}

function publicInput(reg: Registration | PublicRegistration): RegistrationInput {
  return {
    teamId: reg.teamId,
    userId: reg.userId,
    address: reg.address,
    permission: reg.permission,
    buddies: reg.buddies,
    ...(reg.tls !== undefined ? { tls: reg.tls } : {}),
    ...(reg.tone !== undefined ? { tone: reg.tone } : {}),
    ...(reg.rings !== undefined ? { rings: reg.rings } : {}),
    ...(reg.intervalSeconds !== undefined ? { intervalSeconds: reg.intervalSeconds } : {}),
    ...(reg.coverStory !== undefined ? { coverStory: reg.coverStory } : {}),
    ...(reg.source !== undefined ? { source: reg.source } : {}),
  };
}

// ---- phones sync ----

export type SyncOutcome = 'new' | 'unchanged' | 'updated' | 'replaced' | 'kept-manual' | 'several-desk-phones' | 'no-desk-phone' | 'no-call-manager-user' | 'several-call-manager-users' | 'no-email';

export interface SyncLine {
  userId: string;
  outcome: SyncOutcome;
  /** The desk phone saved (or kept), for new/unchanged/updated/replaced/kept-manual. */
  device?: string;
  /** The call-manager user id matched. */
  callManagerUser?: string;
  /** Several desk phones: their names. */
  candidates?: string[];
}

export interface SyncReport {
  applied: boolean;
  lines: SyncLine[];
  counts: Record<SyncOutcome, number>;
}

export interface SyncRequest {
  teamId: string;
  people: readonly { userId: string; email?: string }[];
  apply: boolean;
  /** Replace registrations made by hand. */
  replace: boolean;
  actorId: string;
}

const SAVING: ReadonlySet<SyncOutcome> = new Set(['new', 'updated', 'replaced']);

/**
 * Matches every person to the call manager by e-mail (one bulk AXL listing, no query per person) and
 * says what it would do; with `apply`, saves every change in ONE transaction (directory.putMany) with
 * one audit entry. Phones saved this way are 'callmanager-unconfirmed' (colleagues cannot ring them
 * before their owner uses or confirms them); registrations made by hand are kept unless `replace`.
 */
export async function syncFromCallManager(deps: RescueDeps, req: SyncRequest): Promise<SyncReport> {
  const cm = deps.callManager;
  if (!cm) throw new Error('syncFromCallManager needs the call manager (CUCM_URL)');
  if (req.apply && !hasSharedPhoneAccount(deps)) throw new SyncNeedsSharedAccount();
  const users = await cm.axl.listUsersWithDevices();
  const byEmail = new Map<string, CallManagerUser[]>();
  for (const u of users) {
    const key = u.mailid.trim().toLowerCase();
    if (key !== '') byEmail.set(key, [...(byEmail.get(key) ?? []), u]);
  }
  const { rows } = await deps.directory.list({ teamId: req.teamId });
  const current = new Map(rows.map((r) => [r.userId, r]));
  const lines: SyncLine[] = [];
  const writes: GuardedInput[] = [];
  for (const person of req.people) {
    const line = syncLine(person, byEmail, current.get(person.userId), req.replace);
    lines.push(line);
    if (SAVING.has(line.outcome)) writes.push(syncedInput(req.teamId, person.userId, line.device!, current.get(person.userId)));
  }
  const counts = Object.fromEntries(
    (['new', 'unchanged', 'updated', 'replaced', 'kept-manual', 'several-desk-phones', 'no-desk-phone', 'no-call-manager-user', 'several-call-manager-users', 'no-email'] as const).map((o) => [o, lines.filter((l) => l.outcome === o).length]),
  ) as Record<SyncOutcome, number>;
  if (req.apply && writes.length > 0) {
    const facts: AuditFacts = { teamId: req.teamId, actorId: req.actorId, action: 'register' };
    const detail = `phones sync: ${counts.new} new, ${counts.updated} updated, ${counts.replaced} replaced`;
    try {
      await deps.directory.putMany(writes);
    } catch (err) {
      await auditError(deps, facts, err, detail);
      throw err;
    }
    await audit(deps, facts, 'ok', { detail });
    deps.logger.info({ teamId: req.teamId, saved: writes.length }, 'phones synced from the call manager');
  }
  return { applied: req.apply && writes.length > 0, lines, counts };
}

function syncLine(person: { userId: string; email?: string }, byEmail: Map<string, CallManagerUser[]>, existing: PublicRegistration | undefined, replace: boolean): SyncLine {
  const base = { userId: person.userId };
  if (!person.email) return { ...base, outcome: 'no-email' };
  const matches = byEmail.get(person.email.trim().toLowerCase()) ?? [];
  if (matches.length === 0) return { ...base, outcome: 'no-call-manager-user' };
  if (matches.length > 1) return { ...base, outcome: 'several-call-manager-users', candidates: matches.map((m) => m.userid).sort() };
  const user = matches[0]!;
  const withUser = { ...base, callManagerUser: user.userid };
  const desk = user.devices.filter((d) => d.kind === 'desk-phone').map((d) => d.name);
  if (desk.length === 0) return { ...withUser, outcome: 'no-desk-phone' };
  if (desk.length > 1) return { ...withUser, outcome: 'several-desk-phones', candidates: desk };
  const device = desk[0]!;
  if (!existing) return { ...withUser, outcome: 'new', device };
  if (existing.address.toUpperCase() === device) return { ...withUser, outcome: 'unchanged', device };
  const manual = existing.source === undefined || existing.source === 'manual';
  if (manual && !replace) return { ...withUser, outcome: 'kept-manual', device };
  return { ...withUser, outcome: manual ? 'replaced' : 'updated', device };
}

/** The registration sync saves: the device name with the shared phone account, the person's other settings kept. */
function syncedInput(teamId: string, userId: string, device: string, existing: PublicRegistration | undefined): GuardedInput {
  // Compare-and-set on the rows listed: a registration saved meanwhile makes the whole sync fail (StoreWriteConflict), nothing half-written.
  if (!existing) return { teamId, userId, address: device, source: 'callmanager-unconfirmed', ifUpdatedAt: null };
  const { tls: _tls, ...kept } = publicInput(existing);
  // A phone its owner had confirmed stays confirmed when the call manager moves them to another desk phone.
  return { ...kept, address: device, source: existing.source === 'callmanager' ? 'callmanager' : 'callmanager-unconfirmed', ifUpdatedAt: existing.updatedAt };
}
