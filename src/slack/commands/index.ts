import type { App } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import type { Registry } from '../registry.js';
import { registerPhoneCommand } from './phone.js';
import { registerRescueCommand } from './rescue.js';
import { registerScreenshotCommand } from './screenshot.js';

export function registerCommands(app: App, reg: Registry, deps: SlackDeps): void {
  registerRescueCommand(app, reg, deps);
  registerPhoneCommand(app, reg, deps);
  registerScreenshotCommand(app, reg, deps);
}
