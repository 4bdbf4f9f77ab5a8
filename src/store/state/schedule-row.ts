/** The scheduled_rescues row as both engines read it (SQLite stores times as epoch ms, Postgres as timestamptz). */
import type { ScheduledRescue, ScheduleStatus } from '../state-types.js';
import { compact } from './checks.js';
import { WhereBuilder } from './where.js';

export interface ScheduleRow {
  id: string;
  team_id: string;
  requester_id: string;
  target_id: string;
  due_at: Date | number;
  cover_story: string | null;
  reply_to: string | null;
  status: string;
  created_at: Date | number;
  /** Only from leased claims: the entry had been claimed before (see ScheduledRescue.takenOver). */
  taken_over?: boolean;
}

export const SCHEDULE_COLUMNS = 'id, team_id, requester_id, target_id, due_at, cover_story, reply_to, status, created_at';

const toDate = (v: Date | number): Date => (v instanceof Date ? v : new Date(v));

export function fromScheduleRow(r: ScheduleRow): ScheduledRescue {
  return compact<ScheduledRescue>({
    id: r.id,
    teamId: r.team_id,
    requesterId: r.requester_id,
    targetId: r.target_id,
    dueAt: toDate(r.due_at),
    coverStory: r.cover_story ?? undefined,
    replyTo: r.reply_to ?? undefined,
    status: r.status as ScheduleStatus,
    createdAt: toDate(r.created_at),
    takenOver: r.taken_over === true ? true : undefined,
  });
}

/** The pending entries matching a filter, soonest first: one query for both engines (`numbered`: Postgres placeholders). */
export function pendingQuery(filter: { teamId?: string; requesterId?: string; targetId?: string }, numbered: boolean): { sql: string; values: WhereBuilder['values'] } {
  const where = new WhereBuilder(numbered).add("status = 'pending'");
  if (filter.teamId !== undefined) where.add('team_id = ?', filter.teamId);
  if (filter.requesterId !== undefined) where.add('requester_id = ?', filter.requesterId);
  if (filter.targetId !== undefined) where.add('target_id = ?', filter.targetId);
  return { sql: `SELECT ${SCHEDULE_COLUMNS} FROM scheduled_rescues ${where.sql} ORDER BY due_at, id`, values: where.values };
}
