/**
 * Buttons, one listener per file (Bolt's starter-template layout): Stop, Update settings / Register,
 * Test ring, Screenshot, Run a check, Forget, Send a registration link, Cancel (a scheduled rescue), Use this phone (found in the call manager).
 * Where each answers is decided in button.ts.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import { ACTIONS } from '../ids.js';
import type { Registry } from '../registry.js';
import type { Body } from './button.js';
import { cancelScheduledCallback } from './cancel-scheduled.js';
import { forgetPhoneCallback } from './forget-phone.js';
import { openSettingsCallback } from './open-settings.js';
import { phoneStatusCallback } from './phone-status.js';
import { registerFoundPhoneCallback } from './register-found-phone.js';
import { registrationLinkCallback } from './registration-link.js';
import { screenshotCallback } from './screenshot.js';
import { stopRescueCallback } from './stop-rescue.js';
import { testRingCallback } from './test-ring.js';

export function registerActions(app: App, reg: Registry, deps: SlackDeps): void {
  app.action<Body>(reg.action(ACTIONS.cancelScheduled), cancelScheduledCallback(deps));
  app.action<Body>(reg.action(ACTIONS.stopRescue), stopRescueCallback(deps));
  app.action<Body>(reg.action(ACTIONS.openSettings), openSettingsCallback(deps));
  app.action<Body>(reg.action(ACTIONS.testRing), testRingCallback(deps));
  app.action<Body>(reg.action(ACTIONS.screenshot), screenshotCallback(deps));
  app.action<Body>(reg.action(ACTIONS.status), phoneStatusCallback(deps));
  app.action<Body>(reg.action(ACTIONS.forget), forgetPhoneCallback(deps));
  app.action<Body>(reg.action(ACTIONS.registrationLink), registrationLinkCallback(deps));
  app.action<Body>(reg.action(ACTIONS.registerFoundPhone), registerFoundPhoneCallback(deps));
}
