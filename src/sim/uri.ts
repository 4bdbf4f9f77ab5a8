/**
 * How a phone classifies one ExecuteItem URL. Modelled on usecallmanagernz's validation regex
 * (reference §3): a URI whose scheme the phone knows but whose syntax is wrong is "Invalid URI"
 * (Status 1); an unknown scheme is "URI not found" (Status 6).
 */

export type UriKind =
  | { kind: 'play'; tone: string }
  | { kind: 'play-stop' }
  | { kind: 'http'; url: string }
  | { kind: 'other'; scheme: string }
  | { kind: 'invalid' }
  | { kind: 'unknown' };

const DIGITS = '[a-zA-Z0-9#*@,.\\-]+';
const VALID: Record<string, RegExp> = {
  Dial: new RegExp(`^Dial:${DIGITS}(:[0-1]?(:[a-zA-Z0-9/]*(:[0-1]?)?)?)?$`),
  SendDigits: new RegExp(`^SendDigits:${DIGITS}(:[0-1]?(:[a-zA-Z0-9/]*(:[0-1]?)?)?)?$`),
  EditDial: new RegExp(`^EditDial:${DIGITS}$`),
  Key: /^Key:[a-zA-Z0-9_]+$/,
  SoftKey: /^SoftKey:[a-zA-Z0-9<]+$/,
  Init: /^Init:[a-zA-Z0-9]+$/,
  Play: /^Play:[a-zA-Z0-9._-]+$/,
  Display: /^Display:(Off|On|Default)(:[0-9]+)?$/,
  App: /^App:(RequestFocus|ReleaseFocus|Minimize|Close):[0-2]?:[0-9]*:[a-zA-Z0-9]+\/[a-zA-Z0-9]+$/,
  RTPRx: /^RTPRx:(Stop|[a-zA-Z0-9.-]+:[0-9]+(:[0-9]+)?)$/,
  RTPTx: /^RTPTx:(Stop|[a-zA-Z0-9.-]+:[0-9]+(:[0-9]+)?)$/,
  RTPMRx: /^RTPMRx:(Stop|[a-zA-Z0-9.-]+:[0-9]+(:[0-9]+)?)$/,
  RTPMTx: /^RTPMTx:(Stop|[a-zA-Z0-9.-]+:[0-9]+(:[0-9]+)?)$/,
  Device: /^Device:(Unlock|GeneratePRT|PRTStatus)$/,
};

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export function classifyUri(url: string): UriKind {
  if (isHttpUrl(url)) return /^https?:\/\/[^ ]+$/i.test(url) ? { kind: 'http', url } : { kind: 'invalid' };
  const colon = url.indexOf(':');
  if (colon <= 0) return { kind: 'unknown' };
  const scheme = url.slice(0, colon);
  const pattern = VALID[scheme];
  if (!pattern) return { kind: 'unknown' };
  if (!pattern.test(url)) return { kind: 'invalid' };
  if (scheme === 'Play') {
    const tone = url.slice(colon + 1);
    return tone === 'Stop' ? { kind: 'play-stop' } : { kind: 'play', tone };
  }
  return { kind: 'other', scheme };
}
