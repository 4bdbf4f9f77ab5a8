/**
 * Remembers every command, shortcut, action, view and event the app registers, so a test can
 * check manifest.yml against what the code really listens for. Use as
 * `app.command(reg.command(COMMANDS.rescue), listener)`.
 */
export interface Registered {
  commands: string[];
  shortcuts: string[];
  actions: string[];
  views: string[];
  events: string[];
}

export class Registry {
  readonly registered: Registered = { commands: [], shortcuts: [], actions: [], views: [], events: [] };
  command = <T extends string>(name: T): T => this.add('commands', name);
  shortcut = <T extends string>(callbackId: T): T => this.add('shortcuts', callbackId);
  action = <T extends string>(actionId: T): T => this.add('actions', actionId);
  view = <T extends string>(callbackId: T): T => this.add('views', callbackId);
  event = <T extends string>(name: T): T => this.add('events', name);

  private add<T extends string>(kind: keyof Registered, id: T): T {
    this.registered[kind].push(id);
    return id;
  }
}
