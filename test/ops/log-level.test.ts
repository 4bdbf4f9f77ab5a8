/**
 * LOG_LEVEL as operators write it: blank (`LOG_LEVEL=` in .env) means the default; a level pino does
 * not know is a configuration problem reported at start-up with the others, never a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { LogCapture } from '../support/capture.js';
import { entryPoint } from '../support/entry-points.js';

describe('LOG_LEVEL', () => {
  it('blank in the environment means info', () => {
    const capture = new LogCapture();
    const logger = createLogger({ level: readConfig(['logLevel'], { LOG_LEVEL: '' }).logLevel, destination: capture.stream });
    logger.info('hello');
    logger.debug('not shown');
    expect(capture.lines().map((l) => l.msg)).toEqual(['hello']);
  });

  it('an unknown level stops the start with the list of levels, exit 2, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescue-ring-loglevel-'));
    try {
      const child = spawn(process.execPath, [entryPoint('main')], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, SLACK_SOCKET_MODE: 'false', HEALTH_PORT: '0', SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 's', DATA_DIR: dir, LOG_LEVEL: 'verbose' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(out).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; it is "verbose"');
      expect(out).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
