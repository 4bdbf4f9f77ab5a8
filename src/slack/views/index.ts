import type { App } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import type { Registry } from '../registry.js';
import { registerSettingsView } from './settings.js';

export function registerViews(app: App, reg: Registry, deps: SlackDeps): void {
  registerSettingsView(app, reg, deps);
}
