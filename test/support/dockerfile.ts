/**
 * A Dockerfile read the way the builder reads it, for tests on a machine without a Docker engine:
 * line continuations joined, comments dropped, instructions split into stages, `ARG` defaults
 * substituted into `FROM`, and per stage what the image ends up with (ENV, USER, VOLUME, HEALTHCHECK,
 * CMD, COPY sources). Only what our tests ask about; not a full BuildKit front end.
 */
export interface Instruction {
  keyword: string;
  /** The arguments as written (after the keyword), continuations joined. */
  args: string;
}

export interface Stage {
  name: string | undefined;
  /** The base image, with build-argument defaults substituted. */
  image: string;
  instructions: Instruction[];
  /** ENV in effect at the end of the stage (this stage's own). */
  env: Record<string, string>;
  /** The USER in effect at the end of the stage; undefined = the base image's (root for node:*). */
  user: string | undefined;
  volumes: string[];
  healthcheck: { options: Record<string, string>; command: string } | undefined;
  /** CMD in exec form (JSON array), or undefined. */
  cmd: string[] | undefined;
  runs: string[];
  copies: { from: string | undefined; chown: string | undefined; sources: string[]; dest: string }[];
}

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (cur === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      cur += line.slice(0, -1) + ' ';
      continue;
    }
    out.push((cur + line).trim());
    cur = '';
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Shell-like words: double and single quotes, backslash escapes inside double quotes. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      word ??= '';
      const end = c;
      for (i++; i < text.length && text[i] !== end; i++) {
        if (end === '"' && text[i] === '\\' && i + 1 < text.length) i++;
        word += text[i];
      }
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** `KEY=value KEY2="v 2"` (and the old `KEY value` form) into a record. */
function keyValues(args: string): Record<string, string> {
  const words = shellWords(args);
  if (words.length === 2 && !words[0]!.includes('=')) return { [words[0]!]: words[1]! };
  return Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

function flags(words: string[]): { flags: Record<string, string>; rest: string[] } {
  const out: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && words[i]!.startsWith('--'); i++) {
    const [k, v] = words[i]!.slice(2).split('=', 2);
    out[k!] = v ?? 'true';
  }
  return { flags: out, rest: words.slice(i) };
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const substitute = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
  for (const line of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/s.exec(line)!;
    const keyword = m[1]!.toUpperCase();
    const rest = m[2]!;
    const stage = stages.at(-1);
    if (keyword === 'ARG' && !stage) {
      Object.assign(args, keyValues(rest));
      continue;
    }
    if (keyword === 'FROM') {
      const words = shellWords(rest).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? words[as + 1] : undefined, image: substitute(words[0]!), instructions: [], env: {}, user: undefined, volumes: [], healthcheck: undefined, cmd: undefined, runs: [], copies: [] });
      continue;
    }
    if (!stage) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args: rest });
    switch (keyword) {
      case 'ENV':
        Object.assign(stage.env, keyValues(rest));
        break;
      case 'USER':
        stage.user = rest.trim();
        break;
      case 'VOLUME':
        stage.volumes.push(...(rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : shellWords(rest)));
        break;
      case 'RUN':
        stage.runs.push(rest);
        break;
      case 'COPY': {
        const { flags: f, rest: paths } = flags(shellWords(rest));
        stage.copies.push({ from: f.from, chown: f.chown, sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case 'HEALTHCHECK': {
        const cmdAt = rest.search(/(^|\s)CMD\s/);
        const { flags: f } = flags(shellWords(rest.slice(0, Math.max(cmdAt, 0))));
        stage.healthcheck = cmdAt < 0 ? undefined : { options: f, command: rest.slice(cmdAt).trim().replace(/^CMD\s+/, '') };
        break;
      }
      case 'CMD':
        stage.cmd = rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : undefined;
        break;
    }
  }
  return { args, stages };
}
