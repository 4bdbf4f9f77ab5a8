/** The one rule for what a blank field keeps (mergeRegistration): pure, so every case is a table row. */
import { describe, expect, it } from 'vitest';
import { EVERY_FIELD, FORM_KEEPS, mergeRegistration, type KeptField } from '../../src/rescue/registration-merge.js';
import type { Registration, RegistrationInput } from '../../src/store/types.js';

const PIN = { mode: 'pin', sha256: 'AB'.repeat(32) } as const;
const saved: Registration = {
  teamId: 'T1',
  userId: 'U1',
  address: 'https://10.0.0.1',
  username: 'svc',
  password: 'saved-pw',
  tls: PIN,
  tone: 'Chime.raw',
  rings: 4,
  intervalSeconds: 7,
  permission: 'buddies',
  buddies: ['U2'],
  coverStory: 'Call from the CEO',
  createdAt: new Date(0),
  updatedAt: new Date(1),
};
/** A patch that says nothing but the address. */
const bare: RegistrationInput = { teamId: 'T1', userId: 'U1', address: 'https://10.0.0.1' };
/** `existing` null: nothing saved yet. */
const merge = (patch: Partial<RegistrationInput>, keep: readonly KeptField[], existing: Registration | null = saved, certificateRefused = false) =>
  mergeRegistration(existing ?? undefined, { ...bare, ...patch }, keep, { certificateRefused });

describe('mergeRegistration', () => {
  it('keeps every field not given when the surface keeps them all (the command line)', () => {
    const { record, retrusted } = merge({}, EVERY_FIELD);
    const { createdAt: _created, updatedAt: _updated, ...fields } = saved;
    expect(record).toEqual(fields);
    expect(retrusted).toBe(false);
  });

  it('the settings form: a blank username, tone, rings or interval is the default; password, who may ring, buddies and cover story are kept', () => {
    const { record } = merge({}, FORM_KEEPS);
    expect(record).toEqual({ ...bare, username: undefined, password: 'saved-pw', tls: PIN, tone: undefined, rings: undefined, intervalSeconds: undefined, permission: 'buddies', buddies: ['U2'], coverStory: 'Call from the CEO' });
  });

  it('a given field replaces the saved one; a blank cover story removes it', () => {
    const { record } = merge({ username: 'other', password: 'new-pw', tone: 'Bell.raw', rings: 2, intervalSeconds: 3, permission: 'only_me', buddies: [], coverStory: '' }, EVERY_FIELD);
    expect(record).toMatchObject({ username: 'other', password: 'new-pw', tone: 'Bell.raw', rings: 2, intervalSeconds: 3, permission: 'only_me', buddies: [] });
    expect(record).not.toHaveProperty('coverStory');
  });

  it('a first registration takes the defaults: anyone may ring, no buddies', () => {
    const { record, retrusted } = merge({ username: 'svc' }, EVERY_FIELD, null);
    expect(record).toEqual({ ...bare, username: 'svc', password: undefined, tls: undefined, tone: undefined, rings: undefined, intervalSeconds: undefined, permission: 'anyone', buddies: [] });
    expect(retrusted).toBe(false);
  });

  it('HTTPS trust: a given policy wins; a new address learns the certificate again on every surface', () => {
    expect(merge({ tls: { mode: 'insecure-skip-verify' } }, FORM_KEEPS).record.tls).toEqual({ mode: 'insecure-skip-verify' });
    for (const keep of [FORM_KEEPS, EVERY_FIELD]) {
      expect(merge({ address: 'https://10.0.0.2' }, keep)).toMatchObject({ record: { tls: { mode: 'pin' } }, retrusted: true });
    }
  });

  it('HTTPS trust after a changed-certificate refusal: the form trusts the new certificate, the command line keeps the pin', () => {
    expect(merge({}, FORM_KEEPS, saved, true)).toMatchObject({ record: { tls: { mode: 'pin' } }, retrusted: true });
    expect(merge({}, EVERY_FIELD, saved, true)).toMatchObject({ record: { tls: PIN }, retrusted: false });
    expect(merge({}, FORM_KEEPS, saved, false)).toMatchObject({ record: { tls: PIN }, retrusted: false });
  });

  it('how the phone was found: the patch\'s source; kept only where the surface keeps it and the address is the same; otherwise typed by hand', () => {
    const found: Registration = { ...saved, address: 'SEP0011223344AA', source: 'callmanager-unconfirmed' };
    expect(merge({ address: 'SEP0011223344AA', source: 'callmanager' }, FORM_KEEPS, found).record.source).toBe('callmanager');
    expect(merge({ address: 'SEP0011223344AA' }, EVERY_FIELD, found).record.source).toBe('callmanager-unconfirmed');
    expect(merge({ address: '10.0.0.9' }, EVERY_FIELD, found).record.source).toBeUndefined();
    expect(merge({ address: 'SEP0011223344AA' }, FORM_KEEPS, found).record.source).toBeUndefined();
    expect(merge({ source: 'callmanager' }, FORM_KEEPS, null).record.source).toBe('callmanager');
  });
});
