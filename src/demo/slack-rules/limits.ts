/**
 * Slack's documented limits for what an app sends, one row each, with the reference page (and field)
 * it comes from. The stand-in Slack refuses anything outside them, as Slack does, so a payload real
 * Slack would refuse fails a test (or shows as refused in the demo) instead of failing a person.
 *
 * Each row's source, quote and confidence: docs/slack-limits.md. Pages (docs.slack.dev, read 2026-12):
 *   BLOCKS   = /reference/block-kit/blocks          (one section per block type)
 *   ELEMENTS = /reference/block-kit/block-elements  (one section per element type)
 *   OBJECTS  = /reference/block-kit/composition-objects
 *   VIEWS    = /reference/views                      (modal and home view objects)
 *   MESSAGES = /messaging                            (block count per message)
 *   method pages: /reference/methods/<method>; response_url: /interactivity/handling-user-interaction
 */
export interface Limit {
  /** Smallest allowed value or length (inclusive); absent = no minimum beyond the type's own. */
  readonly min?: number;
  /** Largest allowed value or length (inclusive). */
  readonly max: number;
  /** The reference page and field this limit is read from. */
  readonly ref: string;
}

const limit = (max: number, ref: string, min?: number): Limit => ({ max, ref, ...(min !== undefined ? { min } : {}) });

export const LIMITS = {
  // ---- surfaces ------------------------------------------------------------------------------
  messageBlocks: limit(50, 'MESSAGES, "blocks": up to 50 blocks in a message'),
  viewBlocks: limit(100, 'VIEWS, "blocks": up to 100 blocks in a modal or Home tab'),
  messageText: limit(40_000, 'chat.postMessage, "text": truncated past 40,000 characters (msg_too_long past that)'),
  modalTitle: limit(24, 'VIEWS, modal "title": plain_text, max 24 characters'),
  modalSubmit: limit(24, 'VIEWS, modal "submit": plain_text, max 24 characters'),
  modalClose: limit(24, 'VIEWS, modal "close": plain_text, max 24 characters'),
  privateMetadata: limit(3000, 'VIEWS, "private_metadata": max 3000 characters'),
  callbackId: limit(255, 'VIEWS, "callback_id": max 255 characters'),
  externalId: limit(255, 'VIEWS, "external_id": max 255 characters'),
  // ---- blocks --------------------------------------------------------------------------------
  blockId: limit(255, 'BLOCKS, every block "block_id": max 255 characters, unique per message or view'),
  sectionText: limit(3000, 'BLOCKS section, "text": min 1, max 3000 characters', 1),
  sectionFields: limit(10, 'BLOCKS section, "fields": max 10 items'),
  sectionField: limit(2000, 'BLOCKS section, "fields": each text max 2000 characters', 1),
  headerText: limit(150, 'BLOCKS header, "text": plain_text, max 150 characters', 1),
  contextElements: limit(10, 'BLOCKS context, "elements": max 10 items', 1),
  contextText: limit(3000, 'OBJECTS text object, "text": min 1, max 3000 characters', 1),
  actionsElements: limit(25, 'BLOCKS actions, "elements": max 25 elements', 1),
  inputLabel: limit(2000, 'BLOCKS input, "label": plain_text, max 2000 characters', 1),
  inputHint: limit(2000, 'BLOCKS input, "hint": plain_text, max 2000 characters', 1),
  imageUrl: limit(3000, 'BLOCKS image, "image_url": max 3000 characters', 1),
  imageAltText: limit(2000, 'BLOCKS image, "alt_text": required, max 2000 characters', 1),
  imageTitle: limit(2000, 'BLOCKS image, "title": plain_text, max 2000 characters', 1),
  // ---- elements ------------------------------------------------------------------------------
  actionId: limit(255, 'ELEMENTS, every element "action_id": max 255 characters, unique within its block'),
  buttonText: limit(75, 'ELEMENTS button, "text": plain_text, max 75 characters', 1),
  buttonValue: limit(2000, 'ELEMENTS button, "value": max 2000 characters'),
  buttonUrl: limit(3000, 'ELEMENTS button, "url": max 3000 characters'),
  placeholder: limit(150, 'ELEMENTS (selects, inputs), "placeholder": plain_text, max 150 characters', 1),
  staticSelectOptions: limit(100, 'ELEMENTS static_select, "options": max 100 options', 1),
  optionGroups: limit(100, 'ELEMENTS static_select, "option_groups": max 100 groups', 1),
  radioOptions: limit(10, 'ELEMENTS radio_buttons, "options": max 10 options', 1),
  checkboxOptions: limit(10, 'ELEMENTS checkboxes, "options": max 10 options', 1),
  overflowOptions: limit(5, 'ELEMENTS overflow, "options": min 2, max 5 options', 2),
  textInputMinLength: limit(3000, 'ELEMENTS plain_text_input, "min_length": 0 to 3000', 0),
  textInputMaxLength: limit(3000, 'ELEMENTS plain_text_input, "max_length": 1 to 3000', 1),
  maxSelectedItems: limit(Number.MAX_SAFE_INTEGER, 'ELEMENTS multi-selects, "max_selected_items": min 1', 1),
  // ---- composition objects -------------------------------------------------------------------
  optionText: limit(75, 'OBJECTS option, "text": max 75 characters', 1),
  optionValue: limit(150, 'OBJECTS option, "value": max 150 characters', 1),
  optionDescription: limit(75, 'OBJECTS option, "description": plain_text, max 75 characters', 1),
  optionGroupLabel: limit(75, 'OBJECTS option group, "label": plain_text, max 75 characters', 1),
  confirmTitle: limit(100, 'OBJECTS confirmation dialog, "title": plain_text, max 100 characters', 1),
  confirmText: limit(300, 'OBJECTS confirmation dialog, "text": max 300 characters', 1),
  confirmButton: limit(30, 'OBJECTS confirmation dialog, "confirm" / "deny": plain_text, max 30 characters', 1),
  // ---- method behaviours ---------------------------------------------------------------------
  triggerIdSeconds: limit(3, 'views.open / views.push, "trigger_id": expires 3 seconds after the interaction (expired_trigger_id), usable once (exchanged_trigger_id)'),
  viewStack: limit(3, 'views.push: after views.open at most 2 views can be pushed, 3 in the stack (push_limit_reached)'),
  responseUrlPosts: limit(5, 'response_url: up to 5 posts within 30 minutes of the interaction'),
  responseUrlMinutes: limit(30, 'response_url: valid 30 minutes after the interaction'),
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;
