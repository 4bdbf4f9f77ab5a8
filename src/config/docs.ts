/**
 * `.env.example` and the README's configuration table, made from the table of settings
 * (settings.ts). `npm run config:docs` writes both; test/ops/config-docs.test.ts fails when a
 * committed copy differs from what this makes.
 */
import { SECTIONS, SETTINGS, SETTING_NAMES, type Setting } from './settings.js';

export const README_TABLE_START = '<!-- config-table:start (made by npm run config:docs from src/config/settings.ts; do not edit) -->';
export const README_TABLE_END = '<!-- config-table:end -->';

const entries = (): [string, Setting<unknown>][] => SETTING_NAMES.map((name) => [name, SETTINGS[name] as Setting<unknown>]);

/** What .env.example shows for a setting: a placeholder or production choice, else the default, else blank. */
export function exampleValue(setting: Setting<unknown>): string {
  return setting.example ?? setting.default ?? '';
}

export function envExample(): string {
  const lines = [
    '# rescue-ring configuration. Copy to .env (never commit .env) and fill in the placeholders.',
    '# Every variable the bot and the `rescue-ring` command read is listed here; blank = the default.',
    '# Made by `npm run config:docs` from src/config/settings.ts: change that file, not this one.',
  ];
  for (const section of SECTIONS) {
    lines.push('', `# --- ${section} `.padEnd(95, '-'));
    for (const [name, s] of entries().filter(([, s]) => s.section === section)) lines.push(`# ${s.doc}`, `${name}=${exampleValue(s)}`);
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

export function readmeTable(): string {
  const rows = ['| Group | Variable | Default | What it does |', '|---|---|---|---|'];
  for (const section of SECTIONS) {
    entries()
      .filter(([, s]) => s.section === section)
      .forEach(([name, s], i) => {
        const shown = s.shownDefault ?? (s.default === undefined || s.default === '' ? 'none' : `\`${s.default}\``);
        rows.push(`| ${i === 0 ? section : ''} | \`${name}\`${s.secret ? ' 🔒' : ''} | ${cell(shown)} | ${cell(s.doc)} |`);
      });
  }
  return rows.join('\n');
}

/** `readme` with the text between the table markers replaced by the current table; throws when the markers are missing. */
export function withReadmeTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no configuration table markers (${README_TABLE_START} ... ${README_TABLE_END})`);
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${readmeTable()}\n${readme.slice(end)}`;
}
