/** Every Slack identifier the app listens for. manifest.yml must declare the same (a test checks). */
export const COMMANDS = {
  rescue: '/rescue',
  phone: '/phone',
  screenshot: '/phone-screenshot',
} as const;

export const SHORTCUTS = {
  rescueMe: 'rescue_me',
  settings: 'phone_settings',
  screenshot: 'phone_screenshot',
  rescueAuthor: 'rescue_author',
} as const;

export const ACTIONS = {
  stopRescue: 'stop_rescue',
  openSettings: 'open_settings',
  testRing: 'test_ring',
  screenshot: 'send_screenshot',
  status: 'phone_status',
  forget: 'forget_phone',
  registrationLink: 'send_registration_link',
  cancelScheduled: 'cancel_scheduled_rescue',
  registerFoundPhone: 'register_found_phone',
} as const;

export const VIEWS = {
  settings: 'phone_settings_modal',
} as const;

export const EVENTS = {
  appHome: 'app_home_opened',
} as const;

/** Block ids of the settings modal, by use-case field name (InvalidSettings.fields keys). */
export const SETTINGS_BLOCKS = {
  address: 'address',
  username: 'username',
  password: 'password',
  tone: 'tone',
  rings: 'rings',
  interval: 'interval',
  permission: 'permission',
  buddies: 'buddies',
  coverStory: 'cover_story',
} as const;

/** The action_id of every input in the settings modal. */
export const INPUT = 'value';
