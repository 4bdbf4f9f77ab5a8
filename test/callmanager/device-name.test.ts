import { describe, expect, it } from 'vitest';
import { checkDeviceName, classifyDevice, InvalidDeviceName, isDeskPhoneName, normalizeDeskPhoneName } from '../../src/callmanager/index.js';

describe('device names', () => {
  it('SEP + 12 hex digits in any case is a desk phone, stored in capitals', () => {
    expect(isDeskPhoneName(' sep001122aabbcc ')).toBe(true);
    expect(normalizeDeskPhoneName('sep001122aabbcc')).toBe('SEP001122AABBCC');
    expect(checkDeviceName('Sep001122aAbBcC')).toBe('SEP001122AABBCC');
    for (const bad of ['SEP001122AABBC', 'SEP001122AABBCCD', 'SEP001122AABBCG', 'SEP 001122AABBCC', '001122AABBCC', 'CSFALICE']) {
      expect(isDeskPhoneName(bad), bad).toBe(false);
      expect(() => normalizeDeskPhoneName(bad), bad).toThrow(InvalidDeviceName);
    }
  });

  it('Jabber devices (CSF, BOT, TCT, TAB) are softphones; anything else is other', () => {
    expect(['CSFALICE', 'botalice', 'TCTALICE', 'TABALICE'].map(classifyDevice)).toEqual(['softphone', 'softphone', 'softphone', 'softphone']);
    expect(['SEP001122AABBCC', 'ATA001122AABB01', 'CSF', 'AN001122AABBCC', 'CIPCALICE'].map(classifyDevice)).toEqual(['desk-phone', 'other', 'other', 'other', 'other']);
  });

  it('names RisPort cannot hold are refused before any query', () => {
    for (const bad of ['', 'SEP<x>', 'a'.repeat(51), "CSF'--"]) expect(() => checkDeviceName(bad), bad).toThrow(InvalidDeviceName);
    expect(checkDeviceName('CSFalice')).toBe('CSFalice');
  });
});
