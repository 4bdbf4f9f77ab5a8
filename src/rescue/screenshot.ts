/** `/phone-screenshot`: a PNG of the caller's own phone screen. Audited; pins an HTTPS phone on first use. */
import { screenshot } from '../phone/index.js';
import type { Screenshot } from '../phone/types.js';
import type { UserKey } from '../store/types.js';
import { audited } from './audit.js';
import type { RescueDeps } from './deps.js';
import { withPhoneAddress } from './device-address.js';
import { requireRegistration } from './lookup.js';
import { phoneFor } from './phone-for.js';
import { explainCertificate, rememberCertificate } from './pin.js';

export async function takeScreenshot(deps: RescueDeps, key: UserKey, signal?: AbortSignal): Promise<Screenshot> {
  return audited(
    deps,
    { teamId: key.teamId, actorId: key.userId, targetId: key.userId, action: 'screenshot' },
    async () => {
      const reg = await requireRegistration(deps, key);
      try {
        const shot = await withPhoneAddress(deps, phoneFor(reg, deps.settings.defaults), (phone) => screenshot(deps.phones, phone, { signal }));
        await rememberCertificate(deps, reg, shot.certificateSha256);
        return shot;
      } catch (err) {
        throw explainCertificate(err, key.userId, key.userId);
      }
    },
    (shot) => `${shot.width}x${shot.height} ${shot.sourceFormat}`,
  );
}
