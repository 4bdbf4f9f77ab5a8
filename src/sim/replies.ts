/**
 * The XML a phone answers with (reference §2): CiscoIPPhoneResponse and CiscoIPPhoneError.
 */

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export interface ResponseItemOut {
  url: string;
  status: number;
  data: string;
}

export function responseXml(items: readonly ResponseItemOut[]): string {
  const lines = items.map(
    (i) => `<ResponseItem URL="${escapeXml(i.url)}" Data="${escapeXml(i.data)}" Status="${i.status}"/>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<CiscoIPPhoneResponse>\n${lines.join('\n')}\n</CiscoIPPhoneResponse>\n`;
}

export function errorXml(number: number): string {
  return `<CiscoIPPhoneError Number="${number}"/>`;
}
