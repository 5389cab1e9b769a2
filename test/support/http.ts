import { request as httpRequest } from 'node:http';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** A raw body sent as is (for malformed JSON and the like). */
  raw?: string;
  /** Whether a 5xx is the point of the test (a database outage); any other 5xx fails it. */
  expectServerError?: boolean;
  /**
   * The local address to send from, another client on this machine (Linux routes all of
   * 127.0.0.0/8 to loopback).
   */
  from?: string;
}

/** Sends one request from a chosen local address (`fetch` cannot choose it). */
function sendFrom(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  localAddress: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: init.method, headers: init.headers, localAddress },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve({ status: incoming.statusCode ?? 0, headers, text });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/**
 * A small HTTP client for the tests: JSON in, parsed JSON (or text) out. A 5xx is a bug, so
 * it fails the test at once unless the test says it expects one.
 */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined = options.raw;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !headers['content-type']) {
      headers['content-type'] = 'application/json';
    }
    const init = { method, headers, body: payload };
    const response = options.from
      ? await sendFrom(`${this.baseUrl}${path}`, init, options.from)
      : await fetch(`${this.baseUrl}${path}`, init).then(async (answer) => ({
          status: answer.status,
          headers: answer.headers,
          text: await answer.text(),
        }));
    const text = response.text;
    if (response.status >= 500 && !options.expectServerError) {
      throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    }
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text.length > 0) {
      parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, body, options);
  }
  put<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, body, options);
  }
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, body, options);
  }
  delete<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, undefined, options);
  }
}

/**
 * A loopback address of its own for one test's client (127.0.0.0/8 all reaches this
 * machine), so that rate limits counted per address, in a Redis other runs share too,
 * start from zero.
 */
export function uniqueLoopbackAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}
