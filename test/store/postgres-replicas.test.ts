/**
 * Issue 7 "Done means": two bot processes (src/main.ts, HTTP mode) on ONE Postgres database, a fake
 * Slack and simulated phones. 200 rescues spread over both replicas never put two requests on one
 * phone at once (simulator maxInFlight), and never exceed a target's limit, which only holds if the
 * limits are atomic across the two processes. 50 scheduled rescues fire exactly once each, also when
 * one replica is SIGKILLed in the middle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describePg, type TestDatabase } from './postgres-harness.js';
import { Keyring } from '../../src/store/keyring.js';
import { openFullStore } from '../../src/store/index.js';
import { startSimulator, type PhoneSimulator } from '../../src/sim/index.js';
import { FakeSlack } from '../support/fake-slack.js';
import { send, slashCommand } from '../support/slack-requests.js';
import { entryPoint } from '../support/entry-points.js';
import { untilDefined } from '../support/until.js';

const SECRET = 'replicas-signing-secret';
const TARGETS = 20;
/** Scheduled rescues per run of `scheduled()`, one requester (US0...) each. */
const SCHEDULED = 50;
const RESCUES = 200;
const RINGS = 2;
const PER_HOUR = 2;
const SLOW = 240_000;

interface Replica {
  child: ChildProcess;
  out: string[];
  url: string;
}

describePg('two replicas on one Postgres database', () => {
  let db: TestDatabase;
  let fake: FakeSlack;
  let sim: PhoneSimulator;
  let dir: string;
  const replicas: Replica[] = [];
  const key = randomBytes(32);

  const startReplica = async (name: string, extra: Record<string, string> = {}): Promise<Replica> => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      NODE_ENV: 'production',
      SLACK_SOCKET_MODE: 'false',
      SLACK_BOT_TOKEN: 'xoxb-replicas-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      // The health listener (/healthz, /readyz, /metrics) on a free port too: several bots run at once.
      HEALTH_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, name),
      DATABASE_URL: db.url,
      STORE_KEYS: `k1:${key.toString('base64')}`,
      STORE_KEY_ID: 'k1',
      PHONE_ALLOWED_NETWORKS: '127.0.0.0/8',
      RESCUE_TARGET_COOLDOWN_SECONDS: '0',
      RESCUE_TARGET_PER_HOUR: String(PER_HOUR),
      RESCUE_REQUESTER_PER_MINUTE: '10000',
      LOG_LEVEL: 'info',
      ...extra,
    };
    const child = spawn(process.execPath, [entryPoint('main')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    const port = await untilDefined(() => {
      const m = /"port":(\d+),"msg":"listening for Slack/.exec(out.join(''));
      return m ? Number(m[1]) : undefined;
    }, `replica ${name} to listen`, { timeoutMs: 60_000, lastSeen: () => out.join('') });
    const replica = { child, out, url: `http://127.0.0.1:${port}/slack/events` };
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    db = await createTestDatabase('rr_test_replicas');
    dir = mkdtempSync(join(tmpdir(), 'rescue-ring-replicas-'));
    // Slack knows every target and requester (the bot checks a mentioned user exists).
    fake = await FakeSlack.start({
      users: [
        ...Array.from({ length: TARGETS }, (_, i) => ({ id: `UT${i}`, name: `target${i}` })),
        ...Array.from({ length: 10 }, (_, i) => ({ id: `UR${i}`, name: `requester${i}` })),
        // The scheduled rescues' requesters, whom the replicas DM.
        ...Array.from({ length: SCHEDULED }, (_, i) => ({ id: `US${i}`, name: `scheduler${i}` })),
      ],
    });
    sim = await startSimulator({ phones: Array.from({ length: TARGETS }, () => ({ toneTimeScale: 0.05 })) });
    const store = await openFullStore({ dataDir: dir, production: true, databaseUrl: db.url }, { keyring: new Keyring([{ id: 'k1', key }], 'k1') });
    for (const teamId of ['T1', 'T2']) {
      await store.directory.putMany(
        sim.phones.map((p, i) => ({ teamId, userId: `UT${i}`, address: p.address, username: p.username, password: p.password, rings: RINGS, intervalSeconds: 0.05 })),
      );
    }
    await store.close();
  }, SLOW);

  afterEach(() => {
    // Each test runs its own pair: the previous pair's schedulers must not take part.
    for (const r of replicas.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  });

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await sim?.stop();
    await fake?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    '200 rescues spread over both never overlap on a phone and never exceed a limit',
    async () => {
      const [a, b] = await Promise.all([startReplica('a'), startReplica('b')]);
      const rescue = (i: number, replica: Replica) =>
        send(replica.url, slashCommand(SECRET, { command: '/rescue', text: `<@UT${i % TARGETS}>`, user_id: `UR${i % 10}`, team_id: 'T1', response_url: fake.responseUrl(`r${i}`) }));
      const audited = async (n: number) =>
        untilDefined(async () => {
          const r = await db.admin.query<{ target_id: string; outcome: string; error_class: string | null }>("SELECT target_id, outcome, error_class FROM audit_log WHERE action = 'rescue'");
          return r.rows.length >= n ? r.rows : undefined;
        }, `${n} rescues to be audited`, { timeoutMs: 60_000 });

      // First wave: every target rescued from BOTH replicas at the same moment (one request each, so
      // neither replica's in-process guard is involved): both fit the limit, and ring one phone together.
      const first = await Promise.all(Array.from({ length: 2 * TARGETS }, (_, i) => rescue(i, i < TARGETS ? a : b)));
      expect(first.every((r) => r.status === 200)).toBe(true);
      await audited(2 * TARGETS);
      // Second wave: the other 160, spread over both; the limit is used up, whichever replica asks.
      const rest = await Promise.all(Array.from({ length: RESCUES - 2 * TARGETS }, (_, k) => rescue(2 * TARGETS + k, k % 2 === 0 ? a : b)));
      expect(rest.every((r) => r.status === 200)).toBe(true);
      const rows = await audited(RESCUES);
      expect(rows).toHaveLength(RESCUES);

      const rang = new Map<string, number>();
      for (const row of rows) if (row.outcome === 'ok') rang.set(row.target_id, (rang.get(row.target_id) ?? 0) + 1);
      sim.phones.forEach((phone, i) => {
        // Never two requests on one phone at once, although two replicas rang it together.
        expect(phone.maxInFlight, `phone of UT${i}`).toBe(1);
        // Exactly the limit: counted by the audit log and by the phone itself.
        expect(rang.get(`UT${i}`), `rescues of UT${i}`).toBe(PER_HOUR);
        expect(phone.played, `plays on the phone of UT${i}`).toHaveLength(PER_HOUR * RINGS);
      });
      const refused = rows.filter((row) => row.outcome === 'refused');
      expect(refused).toHaveLength(RESCUES - PER_HOUR * TARGETS);
      expect(new Set(refused.map((row) => row.error_class))).toEqual(new Set(['RateLimited']));
      for (const r of [a, b]) expect(r.out.join('')).toContain('rescue started');
      expect(fake.responses('r150').map((c) => JSON.stringify(c.params)).join('')).toMatch(/again in/);
    },
    SLOW,
  );

  it(
    'a cooldown holds across replicas: rescues of one colleague from both at once ring once',
    async () => {
      for (const phone of sim.phones) phone.clearRequests();
      const env = { RESCUE_TARGET_COOLDOWN_SECONDS: '120', RESCUE_TARGET_PER_HOUR: '10000' };
      const [c, d] = await Promise.all([startReplica('c', env), startReplica('d', env)]);
      const N = 5 * TARGETS;
      const acks = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          send(
            (Math.floor(i / TARGETS) % 2 === 0 ? c : d).url,
            slashCommand(SECRET, { command: '/rescue', text: `<@UT${i % TARGETS}>`, user_id: `UR${i % 10}`, team_id: 'T2', response_url: fake.responseUrl(`c${i}`) }),
          ),
        ),
      );
      expect(acks.every((r) => r.status === 200)).toBe(true);
      const rows = await untilDefined(async () => {
        const r = await db.admin.query<{ target_id: string; outcome: string }>("SELECT target_id, outcome FROM audit_log WHERE action = 'rescue' AND team_id = 'T2'");
        return r.rows.length >= N ? r.rows : undefined;
      }, 'every rescue to be audited', { timeoutMs: 60_000 });
      sim.phones.forEach((phone, i) => {
        expect(rows.filter((row) => row.target_id === `UT${i}` && row.outcome === 'ok'), `rescues of UT${i}`).toHaveLength(1);
        expect(phone.played).toHaveLength(RINGS);
        expect(phone.maxInFlight).toBeLessThanOrEqual(1);
      });
      expect(rows.filter((row) => row.outcome === 'refused')).toHaveLength(N - TARGETS);
    },
    SLOW,
  );

  /** 50 people each schedule a rescue of their own phone; two replicas fire them; optionally one is SIGKILLed mid-way. */
  async function scheduled(teamId: string, kill: boolean): Promise<void> {
    const callsBefore = fake.calls.length;
    const phones = await Promise.all(Array.from({ length: SCHEDULED }, () => sim.add({ toneTimeScale: 0.05 })));
    const store = await openFullStore({ dataDir: dir, production: true, databaseUrl: db.url }, { keyring: new Keyring([{ id: 'k1', key }], 'k1') });
    try {
      await store.directory.putMany(phones.map((p, i) => ({ teamId, userId: `US${i}`, address: p.address, username: p.username, password: p.password, rings: 1 })));
      // The default cooldown (2 minutes per phone), as in production: a takeover must not be refused by
      // the cooldown slot the killed replica took when it started firing.
      const limits = { RESCUE_TARGET_COOLDOWN_SECONDS: '120' };
      const [e, f] = await Promise.all([startReplica(`${teamId}-e`, limits), startReplica(`${teamId}-f`, limits)]);
      // Due one after the other from 2 s on, so both replicas' polling rounds pick some.
      const t0 = Date.now() + 2_000;
      for (let i = 0; i < SCHEDULED; i++) await store.schedules.add({ teamId, requesterId: `US${i}`, targetId: `US${i}`, dueAt: new Date(t0 + i * 80), replyTo: `US${i}` });
      const plays = (p: (typeof phones)[number]) => p.requests.filter((r) => r.items?.some((item) => item.url.startsWith('Play:'))).length;

      if (kill) {
        // Once a third have fired: no goodbye, no cleanup, whatever it held at that moment.
        await untilDefined(() => (phones.filter((p) => plays(p) > 0).length >= SCHEDULED / 3 ? true : undefined), 'a third of the rescues to fire', { timeoutMs: 60_000 });
        e.child.kill('SIGKILL');
        await new Promise((resolve) => e.child.once('exit', resolve));
      }
      // The survivor tells the requester of a rescue whose ring the killed replica had claimed (see below).
      // Only this test's DMs: the same requester ids are used by the test before.
      // The same text twice is one report sent again by the Web API client (it retries a post whose
      // answer timed out: seen with both CPUs saturated); two reports of one rescue say different things,
      // and a rescue fired twice shows as a second Play, checked below.
      const dms = (i: number) => [
        ...new Set(
          fake.calls
            .slice(callsBefore)
            .filter((c) => c.method === 'chat.postMessage' && c.params.channel === `DS${i}`)
            .map((c) => String(c.params.text)),
        ),
      ];
      const toldInterrupted = (i: number) => dms(i).some((t) => t.includes('cannot tell whether the phone rang'));
      const scheduleIds = (out: string[], msg: string) =>
        out
          .join('')
          .split('\n')
          .filter((l) => l.includes(`"msg":"${msg}`))
          .map((l) => (JSON.parse(l) as { scheduleId: string }).scheduleId);
      const reportedBySurvivor = () => scheduleIds(f.out, 'scheduled rescue was claimed by a runner that stopped');
      const schedules = await db.admin.query<{ id: string; requester_id: string }>('SELECT id, requester_id FROM scheduled_rescues WHERE team_id = $1', [teamId]);
      const requesterOf = new Map(schedules.rows.map((r) => [r.id, r.requester_id]));
      const index = (userId: string | undefined) => Number(String(userId).slice('US'.length));
      await untilDefined(
        async () => {
          const left = await db.admin.query('SELECT 1 FROM scheduled_rescues WHERE team_id = $1 AND status = $2', [teamId, 'pending']);
          return left.rowCount === 0 &&
            phones.every((p, i) => (plays(p) > 0 || toldInterrupted(i)) && p.inFlight === 0) &&
            // A taken-over ring whose phone did ring (the Play left before the kill) is still reported: its DM may come after the Play.
            reportedBySurvivor().every((id) => toldInterrupted(index(requesterOf.get(id))))
            ? true
            : undefined;
        },
        'every scheduled rescue to fire',
        { timeoutMs: 90_000, lastSeen: () => ({ rang: phones.filter((p) => plays(p) > 0).length, inFlight: phones.filter((p) => p.inFlight > 0).length }) },
      );
      phones.forEach((p, i) => {
        // Never twice, whoever fired it and whenever the kill came.
        expect(p.maxInFlight).toBeLessThanOrEqual(1);
        // One report per rescue at most: its outcome, or (taken over) that it may not have rung.
        expect(dms(i).length, `DMs to US${i}: ${JSON.stringify(dms(i))}`).toBeLessThanOrEqual(1);
        if (!kill) {
          expect(plays(p), `Play requests to the phone of US${i}`).toBe(1);
          expect(toldInterrupted(i)).toBe(false);
          return;
        }
        // A kill can land between the moment a replica claims a ring (in the database) and the moment
        // the Play leaves for the phone, a window of about one database round trip: no process can
        // then tell whether the phone rang, and the survivor, rather than risk a second ring, tells
        // the requester so. Nothing is lost silently: a phone that never rang has its requester told.
        expect(plays(p), `Play requests to the phone of US${i}`).toBeLessThanOrEqual(1);
        if (plays(p) === 0) expect(toldInterrupted(i), `US${i}, whose phone never rang, was told`).toBe(true);
      });
      if (kill) {
        // Only rings the killed replica had started are reported so, and only a kill inside that
        // short window leaves a phone unrung: never more than the few rings starting at that instant.
        const startedByKilled = new Set(scheduleIds(e.out, 'scheduled rescue fired'));
        const reported = reportedBySurvivor();
        for (const id of reported) expect(startedByKilled.has(id), `${id} was started by the killed replica`).toBe(true);
        const toldRequesters = phones.flatMap((_, i) => (toldInterrupted(i) ? [`US${i}`] : []));
        expect(toldRequesters.sort()).toEqual(reported.map((id) => requesterOf.get(id)).sort());
        expect(phones.filter((p) => plays(p) === 0).length).toBeLessThanOrEqual(3);
      }
      const statuses = await db.admin.query<{ status: string; n: number }>('SELECT status, COUNT(*)::int AS n FROM scheduled_rescues WHERE team_id = $1 GROUP BY status', [teamId]);
      expect(statuses.rows).toEqual([{ status: 'fired', n: SCHEDULED }]);
      // Both replicas fired some (before one was killed, in the kill case).
      expect(e.out.join('')).toContain('scheduled rescue fired');
      expect(f.out.join('')).toContain('scheduled rescue fired');
    } finally {
      await store.close();
    }
  }

  it('50 scheduled rescues spread over two replicas fire exactly once each', () => scheduled('T3', false), SLOW);

  /*
   * A replica killed between claiming a round's entries and ringing them must not lose them: the
   * scheduler claims under a lease (ScheduleStore.claimDueLeased + settle), so the survivor fires
   * them once the lease runs out. With one-step claims this failed 3 runs in 4. A replica killed
   * after it claimed a ring (right before its first Play) never makes the phone ring twice; in the
   * rare kill between that claim and the Play leaving (1 run in 30 measured) the phone did not ring
   * and its requester is told, as for every ring the killed replica had claimed.
   */
  it('50 scheduled rescues fire exactly once each, also when a replica is SIGKILLed mid-way', () => scheduled('T4', true), SLOW);
});
