/** The scheduled_rescues row as both engines read it (SQLite stores times as epoch ms, Postgres as timestamptz). */
import type { ScheduledRescue, ScheduleStatus } from '../state-types.js';
import { compact } from './checks.js';

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
  });
}
