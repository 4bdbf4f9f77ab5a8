import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startPhone, startSimulator } from '../../src/sim/index.js';
import { call, execute, executeXml, failureCode, insecureAgent } from './helpers.js';

const PLAY = executeXml('Play:Classic1.raw');

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

describe('HTTPS-only phones', () => {
  it('serve TLS with the self-signed certificate whose SHA-256 they expose', async () => {
    const p = await startPhone({ https: true, toneTimeScale: 0 });
    try {
      expect(p.url).toBe(`https://127.0.0.1:${p.port}`);
      expect(p.certificateSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(await peerFingerprint(p.port)).toBe(p.certificateSha256);
      const res = await execute(p, PLAY, { dispatcher: insecureAgent });
      expect(res.text).toContain('Status="0"');
      expect(p.played).toEqual(['Classic1.raw']);
      // A verifying client refuses the self-signed certificate; plain HTTP gets no answer.
      expect(await failureCode(execute(p, PLAY))).toMatch(/CERT|SELF_SIGNED/);
      expect(await failureCode(call(`http://127.0.0.1:${p.port}/DeviceInformationX`))).not.toBe('no failure');
    } finally {
      await p.stop();
    }
  });

  it('plain phones expose no certificate', async () => {
    const p = await startPhone();
    try {
      expect(p.certificateSha256).toBeUndefined();
      expect(p.url.startsWith('http://')).toBe(true);
    } finally {
      await p.stop();
    }
  });
});

describe('several phones in one process', () => {
  it('each on its own port with its own log; add() and stop() cover them all', async () => {
    const sim = await startSimulator({ phones: [{ name: 'you' }, { name: 'alice', model: 'CP-7965' }, {}] });
    try {
      const [you, alice, third] = sim.phones;
      if (!you || !alice || !third) throw new Error('three phones expected');
      expect([you.name, alice.name, third.name]).toEqual(['you', 'alice', 'phone3']);
      expect(new Set(sim.phones.map((p) => p.port)).size).toBe(3);
      await execute(alice, PLAY);
      expect(alice.requests).toHaveLength(1);
      expect(you.requests).toHaveLength(0);
      expect((await call(`${alice.url}/DeviceInformationX`)).text).toContain('CP-7965');
      const fourth = await sim.add({ name: 'bob', toneTimeScale: 0 });
      expect(sim.phones).toHaveLength(4);
      expect((await execute(fourth, PLAY)).status).toBe(200);
    } finally {
      await sim.stop();
    }
    for (const p of sim.phones) expect(await failureCode(call(`${p.url}/DeviceInformationX`))).toBe('ECONNREFUSED');
  });

  it('starts a hundred phones at toneTimeScale 0, each answering its own Play', async () => {
    const sim = await startSimulator({ phones: Array.from({ length: 100 }, () => ({ toneTimeScale: 0 })) });
    try {
      const replies = await Promise.all(sim.phones.map((p) => execute(p, PLAY)));
      expect(replies.every((r) => r.text.includes('Status="0"'))).toBe(true);
      expect(sim.phones.every((p) => p.played.length === 1)).toBe(true);
    } finally {
      await sim.stop();
    }
  });

  it('fails with EADDRINUSE when a fixed port is taken', async () => {
    const first = await startPhone();
    try {
      await expect(startSimulator({ phones: [{}, { port: first.port }] })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});
