/**
 * Every benchmark figure beside its floor: the same work done by the least code that can do it,
 * measured in the same run on the same machine, and their ratio. On a shared machine absolute
 * figures move several-fold from run to run with the other work; a ratio of two figures measured
 * side by side moves far less, so the targets are ratios (issue 16).
 */

export type RatioTarget = { atMost: number } | { atLeast: number };

export interface RatioRow {
  /** What is measured, e.g. "PhoneClient.execute, CPU per request". */
  figure: string;
  value: number;
  /** What it is compared with, e.g. "node:http, agent: false". */
  floor: string;
  floorValue: number;
  /** Unit of both values, e.g. "ms", "µs", "MB", "/s". */
  unit: string;
  /** A target on value / floorValue; omitted: reported only. */
  target?: RatioTarget;
}

export function ratioOf(row: RatioRow): number {
  return row.value / row.floorValue;
}

/** Whether the row meets its target (a row without one always does; a ratio that is not a number never does). */
export function ratioMet(row: RatioRow): boolean {
  if (!row.target) return true;
  const r = ratioOf(row);
  if (!Number.isFinite(r)) return false;
  return 'atMost' in row.target ? r <= row.target.atMost : r >= row.target.atLeast;
}

function figure(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const n = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit.startsWith('/') ? `${n}${unit}` : `${n} ${unit}`;
}

function targetText(target: RatioTarget | undefined): string {
  if (!target) return '(reported)';
  return 'atMost' in target ? `≤ ${target.atMost}x` : `≥ ${target.atLeast}x`;
}

/** The rows as a Markdown table: figure, measured, floor, floor measured, ratio, target, result. */
export function ratioTable(rows: readonly RatioRow[]): string {
  return [
    '| figure | measured | floor (same run) | floor measured | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const ratio = ratioOf(r);
      const result = r.target ? (ratioMet(r) ? 'met' : '**missed**') : '';
      return `| ${r.figure} | ${figure(r.value, r.unit)} | ${r.floor} | ${figure(r.floorValue, r.unit)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a'} | ${targetText(r.target)} | ${result} |`;
    }),
  ].join('\n');
}
