/** manifest.yml declares exactly what the code listens for. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createSlackApp } from '../../src/slack/app.js';
import { rescueDeps, type RescueDeps } from '../../src/rescue/index.js';
import { rescueSettingsFromEnv } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { PhoneClient } from '../../src/phone/index.js';
import type { AuditLog, RateLimiter } from '../../src/store/state-types.js';
import type { PhoneDirectory } from '../../src/store/types.js';

interface Manifest {
  features: {
    slash_commands: { command: string; should_escape?: boolean; description: string; usage_hint?: string }[];
    shortcuts: { callback_id: string; type: 'global' | 'message'; name: string; description: string }[];
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
}

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;

function registered() {
  const logger = silentLogger();
  // Never called: the manifest check only registers listeners, so empty stand-ins are enough.
  const rescue: RescueDeps = rescueDeps({ directory: {} as PhoneDirectory, audit: {} as AuditLog, limits: {} as RateLimiter }, { phones: new PhoneClient(), settings: rescueSettingsFromEnv({}), logger });
  const bot = createSlackApp({
    config: { mode: 'http', botToken: 'xoxb-manifest', signingSecret: 's', port: 0, healthPort: 0, host: '127.0.0.1', apiUrl: 'http://127.0.0.1:9/api/' },
    rescue,
    logger,
    botId: 'B1',
    botUserId: 'U1',
  });
  return bot.registered;
}

describe('manifest.yml', () => {
  const reg = registered();

  it('declares every slash command the code registers, and no other, each escaped with a description', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual([...reg.commands].sort());
    for (const c of manifest.features.slash_commands) {
      expect(c.should_escape, c.command).toBe(true);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.command.length).toBeLessThanOrEqual(32);
    }
    expect(manifest.features.slash_commands.find((c) => c.command === '/rescue')?.usage_hint).toContain('@colleague');
  });

  it('declares every shortcut with the right type', () => {
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual([...reg.shortcuts].sort());
    const type = Object.fromEntries(manifest.features.shortcuts.map((s) => [s.callback_id, s.type]));
    expect(type).toEqual({ rescue_me: 'global', phone_settings: 'global', phone_screenshot: 'global', rescue_author: 'message' });
    for (const s of manifest.features.shortcuts) expect(s.description.length).toBeLessThanOrEqual(150);
  });

  it('subscribes to exactly the events the code handles, with App Home on', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([...reg.events].sort());
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('turns interactivity on (buttons and the modal are registered) and Socket Mode on', () => {
    expect(reg.actions.length).toBeGreaterThan(0);
    expect(reg.views).toContain('phone_settings_modal');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('asks for exactly the scopes the app uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'commands', 'files:write', 'im:write', 'users:read', 'users:read.email']);
  });
});
