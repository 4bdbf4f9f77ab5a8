/**
 * What every verb shares (src/cli/io.ts): the hidden password prompt on a terminal-mode readline
 * (keys typed into a stream, as a terminal would send them), option parsers and --json detection.
 */
import { PassThrough } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { argvWantsJson, formatTable, parseFingerprint, promptHidden, UsageError, wholeNumber } from '../../src/cli/io.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the prompt with `keys` typed, capturing what reaches stderr. */
async function prompt(keys: string): Promise<{ result: string | undefined | Error; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const input = new PassThrough();
  const pending = promptHidden('Password: ', input).catch((e: unknown) => e as Error);
  input.write(keys);
  return { result: await pending, stderr };
}

describe('promptHidden', () => {
  it('returns the line typed and echoes nothing of it', async () => {
    const { result, stderr } = await prompt('Typed-Secret-42\r');
    expect(result).toBe('Typed-Secret-42');
    expect(stderr).toBe('Password: \n');
  });

  it('Ctrl-C cancels with a usage error instead of leaving the prompt pending', async () => {
    const { result } = await prompt('half-typ\x03');
    expect(result).toBeInstanceOf(UsageError);
    expect((result as UsageError).message).toMatch(/Cancelled at the password prompt; nothing was done/);
  });

  it('Ctrl-D on an empty line is "no password" (undefined), not a hang', async () => {
    const { result } = await prompt('\x04');
    expect(result).toBeUndefined();
  });
});

describe('option parsers and helpers', () => {
  it('wholeNumber accepts digits within the range only', () => {
    const rings = wholeNumber('--rings', 1, 20);
    expect(rings('1')).toBe(1);
    expect(rings('20')).toBe(20);
    for (const bad of ['0', '21', '2.5', '-1', ' 3', '1e1', '']) {
      expect(() => rings(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => rings('21')).toThrow('--rings must be a whole number from 1 to 20.');
  });

  it('parseFingerprint normalizes 64 hex digits (colons allowed) and refuses anything else', () => {
    const hex = 'ab'.repeat(32);
    const normalized = Array(32).fill('AB').join(':');
    expect(parseFingerprint(hex, '--tls-pin')).toBe(normalized);
    expect(parseFingerprint(normalized.toLowerCase(), '--tls-pin')).toBe(normalized);
    expect(() => parseFingerprint('ab'.repeat(31), '--tls-pin')).toThrow(UsageError);
    expect(() => parseFingerprint(`${'ab'.repeat(31)}zz`, '--tls-pin')).toThrow('--tls-pin must be a SHA-256 fingerprint');
  });

  it('formatTable pads every column to its widest cell', () => {
    expect(formatTable([['A', 'BB'], ['ccc', 'd']])).toBe('A    BB\nccc  d');
  });

  it('argvWantsJson sees --json among the options, not after --', () => {
    expect(argvWantsJson(['ring', 'x', '--json'])).toBe(true);
    expect(argvWantsJson(['ring', 'x'])).toBe(false);
    expect(argvWantsJson(['ring', '--', '--json'])).toBe(false);
  });
});
