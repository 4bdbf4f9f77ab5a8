/**
 * The bot's start command as `npm start` runs it (package.json "start"), V8 flags included: the
 * Dockerfile test checks the image's CMD against it, and the bench starts the bot with it, so both
 * follow the one place the command lives.
 */
import { readFileSync } from 'node:fs';

/** `npm start` split into words: ['node', ...flags, 'dist/main.js']. */
export function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.trim().split(/\s+/);
}

/** The node flags of `npm start` (between `node` and the script). */
export function botNodeFlags(): string[] {
  const words = startCommand();
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`package.json "start" is not "node [flags] dist/main.js": ${words.join(' ')}`);
  return words.slice(1, -1);
}
