/**
 * When a scheduled rescue rings: "in 10m", "in 1h30m", "in 2 hours", "at 14:30", "at 2:30pm",
 * "at 9am tomorrow", read in the requester's own IANA time zone (Slack's users.info `tz`), with
 * nothing but Intl (no date library: three small conversions do not justify a dependency).
 *
 * Rules (README "Scheduled rescues"):
 * - at least 1 minute ahead ("in 0m" is refused: plain /rescue rings now), at most 24 hours ahead;
 * - "at" takes 24-hour time (14:30, 14.30, 14h30) or 12-hour time with am/pm (2pm, 2:30 pm); a bare
 *   hour ("at 14") is refused as ambiguous;
 * - a time that has passed today is refused with the way to say tomorrow ("at 14:30 tomorrow"),
 *   never silently moved to tomorrow: a rescue ringing a day late is worse than none;
 * - a wall time skipped by a daylight-saving jump rings at the same offset after the jump (02:30 on
 *   the spring-forward night rings at 03:30); a repeated one rings the first time it occurs.
 */
import { AppError } from '../errors.js';

export const MIN_AHEAD_MS = 60_000;
export const MAX_AHEAD_MS = 24 * 60 * 60_000;

export type WhenSpec =
  /** "in 10m": minutes from now. */
  | { kind: 'in'; minutes: number }
  /** "at 14:30 [today|tomorrow]": a wall-clock time in the requester's time zone. */
  | { kind: 'at'; hour: number; minute: number; tomorrow: boolean };

export type WhenProblem = 'unreadable' | 'too_soon' | 'too_far' | 'bad_time' | 'ambiguous_hour' | 'passed';

/** A time we cannot use; the hint says exactly what to type instead. */
export class InvalidWhen extends AppError {
  readonly code = 'InvalidWhen';
  constructor(
    readonly problem: WhenProblem,
    hint: string,
  ) {
    super(`scheduled time refused: ${problem}`, hint);
  }
}

const EXAMPLES = 'Write it like `in 10m`, `in 1h30m` or `at 14:30` (24-hour time, or `at 2:30pm`).';

const UNIT_MINUTES: Record<string, number> = { m: 1, min: 1, mins: 1, minute: 1, minutes: 1, h: 60, hr: 60, hrs: 60, hour: 60, hours: 60, d: 1440, day: 1440, days: 1440 };
const DURATION_PART = /(\d{1,5})\s*(minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d)(?![a-z])/gy;

/** True when `word` (lower-case) starts a time phrase: "in" or "at". */
export function isWhenWord(word: string): boolean {
  return word === 'in' || word === 'at';
}

/** Parses "in ..." / "at ..." (the whole phrase, keyword included). Throws InvalidWhen. */
export function parseWhen(phrase: string): WhenSpec {
  const text = phrase.trim().toLowerCase().replace(/\s+/g, ' ');
  if (text.startsWith('in ')) return parseIn(text.slice(3).trim(), phrase.trim());
  if (text.startsWith('at ')) return parseAt(text.slice(3).trim(), phrase.trim());
  throw new InvalidWhen('unreadable', `I could not read "${clip(phrase)}" as a time. ${EXAMPLES}`);
}

function parseIn(rest: string, original: string): WhenSpec {
  if (/^\d+\s*(s|sec|secs|second|seconds)$/.test(rest)) {
    throw new InvalidWhen('too_soon', 'Scheduled rescues are set in whole minutes, at least 1 minute ahead. To ring right now, send `/rescue` without a time.');
  }
  const compact = rest.replace(/\s*(and|,)\s*/g, ' ');
  let minutes = 0;
  let matched = 0;
  DURATION_PART.lastIndex = 0;
  let pos = 0;
  for (;;) {
    while (compact[pos] === ' ') pos++;
    if (pos >= compact.length) break;
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(compact);
    if (!m) throw new InvalidWhen('unreadable', `I could not read "${clip(original)}" as a delay. ${EXAMPLES}`);
    minutes += Number(m[1]) * (UNIT_MINUTES[m[2]!] ?? 1);
    matched += 1;
    pos = DURATION_PART.lastIndex;
  }
  if (matched === 0) throw new InvalidWhen('unreadable', `Say how long from now, like \`in 10m\` or \`in 1h30m\`. ${EXAMPLES}`);
  if (minutes < 1) throw new InvalidWhen('too_soon', '`in 0m` is right now: send `/rescue` without a time to ring at once, or schedule 1 minute or more ahead.');
  if (minutes * 60_000 > MAX_AHEAD_MS) {
    throw new InvalidWhen('too_far', `Scheduled rescues can be set at most 24 hours ahead; "${clip(original)}" is ${describeMinutes(minutes)} away. Schedule it again closer to the time.`);
  }
  return { kind: 'in', minutes };
}

const AT = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?:\s+(today|tomorrow|tmrw))?$/;

function parseAt(rest: string, original: string): WhenSpec {
  const m = AT.exec(rest);
  if (!m) throw new InvalidWhen('unreadable', `I could not read "${clip(original)}" as a time of day. ${EXAMPLES}`);
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.replace(/\./g, '');
  const shown = `${m[1]}${m[2] !== undefined ? `:${m[2]}` : ''}${meridiem ?? ''}`;
  if (minute > 59) throw new InvalidWhen('bad_time', `${shown} is not a time of day: minutes go up to 59. ${EXAMPLES}`);
  if (meridiem) {
    if (hour < 1 || hour > 12) throw new InvalidWhen('bad_time', `${shown} is not a time of day: with am/pm the hour is 1 to 12 (or use 24-hour time like 14:30).`);
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  } else {
    if (hour > 23) throw new InvalidWhen('bad_time', `${shown} is not a time of day: 24-hour time goes from 00:00 to 23:59. ${EXAMPLES}`);
    if (m[2] === undefined) {
      throw new InvalidWhen('ambiguous_hour', `Is "at ${m[1]}" in the morning or the afternoon? Write \`at ${pad(hour)}:00\` (24-hour time) or \`at ${hour % 12 || 12}am\` / \`at ${hour % 12 || 12}pm\`.`);
    }
  }
  return { kind: 'at', hour, minute, tomorrow: m[4] !== undefined && m[4] !== 'today' };
}

/** A usable IANA zone name, or UTC when Slack gave none or one this Node does not know. */
export function safeTimeZone(tz: string | undefined): string {
  if (!tz) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

/** The instant a WhenSpec means at `now` in `timeZone`. Throws InvalidWhen (passed, too far). */
export function resolveWhen(spec: WhenSpec, now: Date, timeZone: string): Date {
  if (spec.kind === 'in') return new Date(now.getTime() + spec.minutes * 60_000);
  const tz = safeTimeZone(timeZone);
  const today = wallClock(now, tz);
  const day = spec.tomorrow ? addDays(today, 1) : today;
  const due = zonedInstant({ ...day, hour: spec.hour, minute: spec.minute }, tz);
  const hhmm = `${pad(spec.hour)}:${pad(spec.minute)}`;
  if (due.getTime() <= now.getTime()) {
    throw new InvalidWhen(
      'passed',
      spec.tomorrow
        ? `${hhmm} tomorrow is not ahead of now in your time zone (${tz}).`
        : `${hhmm} has passed today (it is ${formatClock(now, tz)} in your time zone, ${tz}). Did you mean tomorrow? Send \`/rescue at ${hhmm} tomorrow\`.`,
    );
  }
  if (due.getTime() - now.getTime() > MAX_AHEAD_MS) {
    throw new InvalidWhen('too_far', `Scheduled rescues can be set at most 24 hours ahead, and ${hhmm} tomorrow is further than that. Schedule it again tomorrow.`);
  }
  return due;
}

/** "14:30" in `timeZone`. */
export function formatClock(at: Date, timeZone: string): string {
  const w = wallClock(at, safeTimeZone(timeZone));
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** "Sat 28 Nov, 14:30 (Europe/London)": the exact time, for places without Slack's date formatting. */
export function formatExact(at: Date, timeZone: string): string {
  const tz = safeTimeZone(timeZone);
  const date = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short' }).format(at);
  return `${date}, ${formatClock(at, tz)} (${tz})`;
}

/** "in 10 min", "in 1 h 30 min" (rounded to the minute). */
export function formatFromNow(at: Date, now: Date): string {
  return `in ${describeMinutes(Math.max(0, Math.round((at.getTime() - now.getTime()) / 60_000)))}`;
}

function describeMinutes(total: number): string {
  if (total < 60) return `${total} min`;
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return [d ? `${d} day${d === 1 ? '' : 's'}` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

function wallClock(at: Date, tz: string): Wall & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, tz: string): number {
  const w = wallClock(new Date(instant), tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant the wall time `w` means in `tz` (see the file comment for DST gaps and overlaps). */
function zonedInstant(w: Wall, tz: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const before = offsetAt(naive - 86_400_000 / 2, tz);
  const after = offsetAt(naive + 86_400_000 / 2, tz);
  // Try the earlier offset first (the first occurrence of a repeated time), then the later one.
  for (const off of [Math.max(before, after), Math.min(before, after)]) {
    const t = naive - off;
    const back = wallClock(new Date(t), tz);
    if (back.hour === w.hour && back.minute === w.minute && back.day === w.day) return new Date(t);
  }
  // Skipped by a DST jump: same wall time, offset from before the jump (lands after it).
  return new Date(naive - Math.min(before, after));
}

function addDays(w: Wall, days: number): Wall {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function clip(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters typed into Slack are never echoed
  const flat = s.replace(/[\u0000-\u001f\u007f<>&`]/g, ' ').trim();
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}
