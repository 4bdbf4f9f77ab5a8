/** Turns a stored registration into what the phone module needs, applying the organisation defaults. */
import type { Phone } from '../phone/types.js';
import type { Registration } from '../store/types.js';
import { MissingPhoneCredentials } from './errors.js';
import type { PhoneDefaults } from './settings.js';

export interface RingPlan {
  tone: string;
  rings: number;
  intervalMs: number;
}

export function phoneFor(reg: Registration, defaults: PhoneDefaults, requesterId: string = reg.userId): Phone {
  const username = reg.username ?? defaults.username;
  const password = reg.password ?? defaults.password;
  if (username === undefined || password === undefined) {
    throw new MissingPhoneCredentials({ userId: reg.userId, self: requesterId === reg.userId });
  }
  return { address: reg.address, credentials: { username, password }, ...(reg.tls ? { tls: reg.tls } : {}) };
}

export function ringPlanFor(reg: Registration, defaults: PhoneDefaults): RingPlan {
  return {
    tone: reg.tone ?? defaults.tone,
    rings: reg.rings ?? defaults.rings,
    intervalMs: (reg.intervalSeconds ?? defaults.intervalSeconds) * 1000,
  };
}
