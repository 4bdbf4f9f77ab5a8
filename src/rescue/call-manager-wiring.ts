/**
 * The call manager as the bot and the CLI use it: RisPort's budget counted in the store (shared by
 * replicas), and a certificate trusted on first use (CUCM_TLS_TRUST_ON_FIRST_USE) remembered in
 * DATA_DIR/cucm-certificate.sha256, so a restart keeps trusting that certificate only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCallManager, type CallManager, type CallManagerDeps, type CallManagerOptions } from '../callmanager/index.js';
import type { Logger } from '../log.js';
import type { RateLimiter } from '../store/state-types.js';
import { StoreRisBudget } from './ris-budget.js';

export const CERTIFICATE_PIN_FILE = 'cucm-certificate.sha256';

export interface CallManagerParts {
  limits: RateLimiter;
  logger: Logger;
  /** Where a certificate trusted on first use is remembered; without it, it is trusted again after a restart. */
  dataDir?: string;
  clock?: () => Date;
  /** Deadlines, batching and spacing of the call manager's requests (tests and benchmarks); the defaults otherwise. */
  tuning?: Pick<CallManagerDeps, 'timeouts' | 'batchWindowMs' | 'minQueryIntervalMs'>;
}

/** The call manager of CUCM_* (undefined when CUCM_URL is not set: everything works by IP address, as before). */
export function connectCallManager(options: CallManagerOptions | undefined, parts: CallManagerParts): CallManager | undefined {
  if (!options) return undefined;
  const pinFile = options.tls.trustOnFirstUse && parts.dataDir !== undefined ? join(parts.dataDir, CERTIFICATE_PIN_FILE) : undefined;
  const pinned = pinFile ? readPin(pinFile) : undefined;
  const tls = pinned ? { ...options.tls, fingerprint: pinned } : options.tls;
  return createCallManager(
    { ...options, tls },
    {
      logger: parts.logger,
      budget: new StoreRisBudget(parts.limits, options.risPerMinute),
      ...(parts.clock ? { clock: parts.clock } : {}),
      ...parts.tuning,
      ...(pinFile
        ? {
            onCertificateTrusted: (sha256: string) => {
              try {
                writeFileSync(pinFile, `${sha256}\n`, { mode: 0o600 });
              } catch (err) {
                parts.logger.warn({ file: pinFile, code: (err as NodeJS.ErrnoException).code }, 'cannot remember the call manager certificate; it will be trusted again after a restart');
              }
            },
          }
        : {}),
    },
  );
}

function readPin(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
