/**
 * Several simulated phones in one process, each on its own port.
 */
import { SimulatedPhone } from './phone.js';
import type { PhoneSimulator, SimPhone, SimPhoneOptions } from './types.js';

/** Starts one simulated phone; see SimPhoneOptions for the defaults. */
export async function startPhone(options: SimPhoneOptions = {}): Promise<SimPhone> {
  return SimulatedPhone.start(options);
}

/**
 * Starts every phone (in parallel; one phone when `phones` is absent). Phones are named phone1, phone2...
 * unless given a name. If any phone fails to start (say, its fixed port is taken), the others are stopped
 * and the error is thrown.
 */
export async function startSimulator(options: { phones?: SimPhoneOptions[] } = {}): Promise<PhoneSimulator> {
  const phones: SimPhone[] = [];
  const specs = options.phones ?? [{}];
  const started = await Promise.allSettled(specs.map((spec, i) => startPhone({ name: `phone${i + 1}`, ...spec })));
  for (const r of started) if (r.status === 'fulfilled') phones.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(phones.map((p) => p.stop()));
    throw failed.reason;
  }
  return {
    get phones() {
      return phones;
    },
    async add(spec: SimPhoneOptions = {}) {
      const phone = await startPhone({ name: `phone${phones.length + 1}`, ...spec });
      phones.push(phone);
      return phone;
    },
    async stop() {
      await Promise.all(phones.map((p) => p.stop()));
    },
  };
}
