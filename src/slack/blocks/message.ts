/** What every builder in blocks/ returns and every surface shows: a message's text and its Block Kit blocks. */
import type { types } from '@slack/bolt';

export interface SlackMessage {
  text: string;
  blocks?: types.KnownBlock[];
}
