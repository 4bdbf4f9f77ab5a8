/**
 * docs/alerts.yml and docs/grafana-dashboard.json against the metrics rescue-ring exports: every rule
 * has what an on-call person needs, the alerts and panels the docs promise are there, every metric a
 * rule or a panel queries exists (a renamed metric would otherwise leave an alert that never fires and
 * an empty panel), and the dashboard groups by no label that could hold a person's id or a phone.
 * When promtool is installed, it also checks that every expression parses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Metrics } from '../../src/metrics/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ALERTS_FILE = join(root, 'docs/alerts.yml');

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown; description?: unknown };
}
interface Target {
  refId?: unknown;
  expr?: unknown;
  legendFormat?: unknown;
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  datasource?: { uid?: unknown };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  schemaVersion?: unknown;
  panels?: Panel[];
  templating?: { list?: { name?: unknown; type?: unknown; definition?: unknown }[] };
}

const alertsDoc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
const rules: Rule[] = (alertsDoc.groups ?? []).flatMap((g) => g.rules ?? []);
const ruleExpr = (r: Rule): string => String(r.expr);

const dashboard = JSON.parse(readFileSync(join(root, 'docs/grafana-dashboard.json'), 'utf8')) as Dashboard;
/** Every panel, those inside collapsed rows included; a row itself queries nothing. */
const panels: Panel[] = (dashboard.panels ?? []).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
const targets: Target[] = panels.flatMap((p) => p.targets ?? []);
const variableQueries: string[] = (dashboard.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => String(v.definition));
const dashboardExprs: string[] = [...targets.map((t) => String(t.expr)), ...variableQueries];

/** The metric names a PromQL expression uses: rescue-ring's, Node's default ones, and Prometheus's own `up`. */
function metricNames(expr: string): string[] {
  const found = expr.matchAll(/(?<![\w:$"])(rescue_ring_\w+|nodejs_\w+|process_\w+|up)(?=\s*[{[),]|\s|$)/g);
  return [...new Set([...found].map((m) => m[1] as string))];
}

/** The label names an expression selects on or groups by (matchers, by/without/on/ignoring lists, label_values). */
function labelNames(expr: string): string[] {
  const names: string[] = [];
  for (const braces of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const m of (braces[1] as string).matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"/g)) names.push(m[1] as string);
  }
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    names.push(...(m[1] as string).split(',').map((s) => s.trim()).filter((s) => s !== ''));
  }
  for (const m of expr.matchAll(/\blabel_values\([^)]*,\s*(\w+)\s*\)/g)) names.push(m[1] as string);
  return names;
}

/** Every series name the process exports: each family, and a histogram's (or summary's) _bucket, _sum and _count. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = new Metrics();
  metrics.watch({ ringing: () => 0, waiting: () => 0, pendingScheduled: async () => 0, store: { engine: 'sqlite', up: async () => true } });
  const names = new Set<string>(['up']);
  for (const family of await metrics.registry.getMetricsAsJSON()) {
    names.add(family.name);
    if (String(family.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(family.name + s);
    if (String(family.type) === 'summary') for (const s of ['_sum', '_count']) names.add(family.name + s);
  }
  return names;
}

/** The names among `exprs` that the process does not export. */
function unknownNames(exprs: readonly string[], exported: ReadonlySet<string>): string[] {
  return [...new Set(exprs.flatMap(metricNames))].filter((n) => !exported.has(n));
}

/** Labels the metrics carry (src/metrics/metrics.ts), Prometheus's target labels, and the histogram's le. */
const KNOWN_LABELS = new Set(['job', 'instance', 'le', 'kind', 'outcome', 'reason', 'operation', 'method', 'engine']);

describe('docs/alerts.yml', () => {
  it('is a rules file with groups, each rule complete', () => {
    expect(alertsDoc.groups?.length).toBeGreaterThan(0);
    for (const g of alertsDoc.groups ?? []) {
      expect(typeof g.name).toBe('string');
      expect(g.rules?.length, `group ${String(g.name)}`).toBeGreaterThan(0);
    }
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size, 'alert names are unique').toBe(names.length);
    for (const r of rules) {
      const name = String(r.alert);
      expect(name, 'an alerting rule, named RescueRing...').toMatch(/^RescueRing[A-Z]\w+$/);
      expect(typeof r.expr === 'string' && r.expr.trim() !== '', `${name}: expr`).toBe(true);
      expect(String(r.for), `${name}: for`).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info'], `${name}: labels.severity`).toContain(r.labels?.severity);
      expect(typeof r.annotations?.summary === 'string' && r.annotations.summary !== '', `${name}: summary`).toBe(true);
      const description = String(r.annotations?.description ?? '');
      expect(description, `${name}: the description says what to check first`).toMatch(/check first/i);
      expect(description, `${name}: and where to look`).toMatch(/README|rescue-ring doctor|\/readyz|docs\//);
    }
  });

  it('has the alerts the on-call person relies on', () => {
    const topics: Record<string, (r: Rule) => boolean> = {
      'rescue-ring down': (r) => /\bup\{job="rescue-ring"\} == 0/.test(ruleExpr(r)),
      'many failed rescues': (r) => /increase\(rescue_ring_rescues_total\{[^}]*outcome="failed"[^}]*\}\[10m\]\)/.test(ruleExpr(r)),
      'Slack rate limiting': (r) => /increase\(rescue_ring_slack_rate_limited_total\b/.test(ruleExpr(r)),
      'scheduler late': (r) => /histogram_quantile\(0\.9,.*rescue_ring_scheduled_rescue_lateness_seconds_bucket[\s\S]*\[15m\][\s\S]*> 30\b/.test(ruleExpr(r)),
      'missed scheduled rescues': (r) => /rescue_ring_scheduled_rescues_total\{outcome="missed"\}/.test(ruleExpr(r)),
      'store unavailable': (r) => /rescue_ring_store_up == 0/.test(ruleExpr(r)) && r.for === '2m',
    };
    for (const [topic, matches] of Object.entries(topics)) expect(rules.filter(matches).length, topic).toBeGreaterThan(0);
  });

  it('queries only metrics rescue-ring exports', async () => {
    const exported = await exportedNames();
    const used = new Set(rules.flatMap((r) => metricNames(ruleExpr(r))));
    expect(used.size).toBeGreaterThanOrEqual(8);
    expect(unknownNames(rules.map(ruleExpr), exported)).toEqual([]);
  });
});

describe('docs/grafana-dashboard.json', () => {
  it('is a dashboard whose every panel queries something, through the dashboard\'s data source', () => {
    expect(Number(dashboard.schemaVersion)).toBeGreaterThanOrEqual(36);
    expect(panels.length).toBeGreaterThanOrEqual(10);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size, 'panel ids are unique').toBe(ids.length);
    const variables = new Set((dashboard.templating?.list ?? []).map((v) => `\${${String(v.name)}}`));
    for (const p of panels) {
      const title = String(p.title);
      expect(p.targets?.length, `${title}: targets`).toBeGreaterThan(0);
      expect(variables, `${title}: its data source is the dashboard's variable`).toContain(p.datasource?.uid);
      for (const t of p.targets ?? []) expect(typeof t.expr === 'string' && t.expr.trim() !== '', `${title}: target ${String(t.refId)} has an expr`).toBe(true);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, `${title}: refIds are unique`).toBe(refIds.length);
    }
  });

  it('has the panels the on-call person looks at first', () => {
    const queried = (re: RegExp) => targets.some((t) => re.test(String(t.expr)));
    expect(queried(/sum by \(outcome\) \(rate\(rescue_ring_rescues_total\b/), 'rescues by outcome').toBe(true);
    for (const p of ['0.5', '0.9', '0.99']) {
      expect(queried(new RegExp(`histogram_quantile\\(${p.replace('.', '\\.')}, sum by \\(le\\) \\(rate\\(rescue_ring_phone_request_duration_seconds_bucket`)), `phone latency p${p}`).toBe(true);
    }
    expect(queried(/sum by \(reason\) \(\w+\(rescue_ring_rescues_total\{[^}]*outcome="failed"/), 'failures by error code').toBe(true);
    expect(queried(/rescue_ring_slack_rate_limited_total/), 'Slack 429s').toBe(true);
    expect(queried(/histogram_quantile\(0\.9, sum by \(le\) \(rate\(rescue_ring_scheduled_rescue_lateness_seconds_bucket/), 'scheduler lag').toBe(true);
    expect(queried(/rescue_ring_scheduled_rescues_total/), 'missed scheduled rescues').toBe(true);
    expect(queried(/nodejs_eventloop_lag_p99_seconds/), 'event-loop lag').toBe(true);
    expect(queried(/rescue_ring_store_up/), 'store up').toBe(true);
    expect(queried(/rescue_ring_store_operation_duration_seconds_bucket/), 'store latency').toBe(true);
  });

  it('queries only metrics rescue-ring exports', async () => {
    const exported = await exportedNames();
    expect(new Set(dashboardExprs.flatMap(metricNames)).size).toBeGreaterThanOrEqual(12);
    expect(unknownNames(dashboardExprs, exported)).toEqual([]);
  });

  it('selects and groups by no label that could hold a user, a team or a phone address', () => {
    const legends = targets.flatMap((t) => [...String(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string));
    const used = [...dashboardExprs.flatMap(labelNames), ...legends];
    expect(used).toContain('reason');
    expect(used.filter((l) => /user|team|address/i.test(l))).toEqual([]);
    expect(used.filter((l) => !KNOWN_LABELS.has(l))).toEqual([]);
  });
});

describe('the checks above', () => {
  it('catch a metric that does not exist, and a label that holds a user', async () => {
    const exported = await exportedNames();
    const bogus = 'histogram_quantile(0.9, sum by (le) (rate(rescue_ring_phone_latency_seconds_bucket[5m]))) / up{job="rescue-ring"}';
    expect(metricNames(bogus)).toEqual(['rescue_ring_phone_latency_seconds_bucket', 'up']);
    expect(unknownNames([bogus], exported)).toEqual(['rescue_ring_phone_latency_seconds_bucket']);
    expect(unknownNames(['rescue_ring_store_up == 0', 'max(nodejs_eventloop_lag_p99_seconds)', 'rescue_ring_rescues_totals'], exported)).toEqual(['rescue_ring_rescues_totals']);
    expect(labelNames('sum by (user_id) (rate(rescue_ring_rescues_total{team="T1", outcome=~"failed"}[5m]))')).toEqual(['team', 'outcome', 'user_id']);
  });
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!promtool)('promtool (when installed)', () => {
  const check = (file: string) => spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });

  it('accepts docs/alerts.yml', () => {
    const r = check(ALERTS_FILE);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("parses every dashboard query (as recording rules, Grafana's variables filled in)", () => {
    const fill = (e: string) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '6h').replaceAll('$job', 'rescue-ring').replaceAll('$instance', '.*');
    const exprs = [...targets.map((t) => String(t.expr)), ...variableQueries.map((q) => q.replace(/^label_values\((.*),\s*\w+\)$/, '$1'))];
    const file = join(mkdtempSync(join(tmpdir(), 'dashboard-rules-')), 'rules.yml');
    try {
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: fill(e) })) }] }));
      const r = check(file);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(join(file, '..'), { recursive: true, force: true });
    }
  });
});
