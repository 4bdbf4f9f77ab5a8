/**
 * Shortcuts, one listener per file (Bolt's starter-template layout). Global shortcuts have no
 * channel: their replies go to the user's DM with the app. The message shortcut "Rescue the author"
 * replies on its response_url.
 */
import type { App, GlobalShortcut, MessageShortcut } from '@slack/bolt';
import type { SlackDeps } from '../context.js';
import { SHORTCUTS } from '../ids.js';
import type { Registry } from '../registry.js';
import { phoneSettingsCallback } from './phone-settings.js';
import { rescueAuthorCallback } from './rescue-author.js';
import { rescueMeCallback } from './rescue-me.js';
import { screenshotCallback } from './screenshot.js';

export function registerShortcuts(app: App, reg: Registry, deps: SlackDeps): void {
  app.shortcut<GlobalShortcut>(reg.shortcut(SHORTCUTS.rescueMe), rescueMeCallback(deps));
  app.shortcut<GlobalShortcut>(reg.shortcut(SHORTCUTS.settings), phoneSettingsCallback(deps));
  app.shortcut<GlobalShortcut>(reg.shortcut(SHORTCUTS.screenshot), screenshotCallback(deps));
  app.shortcut<MessageShortcut>(reg.shortcut(SHORTCUTS.rescueAuthor), rescueAuthorCallback(deps));
}
