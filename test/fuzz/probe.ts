/** A generated request (a probe), the answer it got, and how both are written in a report. */
import fc from 'fast-check';

export type ListKind = 'doctors' | 'patients' | 'mappings' | 'patientDoctors';

export interface ProbeFields {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, already percent-encoded (possibly as invalid UTF-8, on purpose). */
  url: string;
  /** The body: JSON text (possibly malformed), raw bytes, or none. */
  body?: string | Uint8Array;
  /** Content-Type; `undefined` means application/json when there is a body, '' means none. */
  contentType?: string;
  /** The whole Authorization header, if any. */
  authorization?: string;
  /** What the Authorization header is, for the report (tokens are long). */
  auth: string;
  /** For list queries: which list, and the decoded query pairs. */
  list?: ListKind;
  query?: [string, string][];
  rawQuery?: string;
  /** For writes: the properties the endpoint's body has (any other is unknown, so a 400). */
  bodyFields?: string[];
}

export type Probe = ProbeFields & fc.WithToStringMethod;

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  elapsedMs: number;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function describeBody(body: ProbeFields['body']): string {
  if (body === undefined) return '(none)';
  if (typeof body === 'string') return JSON.stringify(truncate(body, 600));
  return `bytes ${JSON.stringify(truncate(new TextDecoder().decode(body), 600))} (${Buffer.from(body).toString('hex').slice(0, 400)})`;
}

export function describeProbe(p: ProbeFields): string {
  const type = p.contentType === undefined ? '' : ` content-type=${JSON.stringify(p.contentType)}`;
  return `${p.method} ${truncate(p.url, 400)} auth=${p.auth}${type} body=${describeBody(p.body)}`;
}

export function probe(fields: ProbeFields): Probe {
  return { ...fields, [fc.toStringMethod]: () => describeProbe(fields) };
}

/**
 * Percent-encodes every character. A lone surrogate becomes U+FFFD (as a browser sends it), or
 * with `invalidUtf8` its WTF-8 bytes, which are not UTF-8 at all.
 */
export function percentEncode(text: string, invalidUtf8 = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff && !invalidUtf8) {
      out += '%EF%BF%BD';
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
