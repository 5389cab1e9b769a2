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
}

/**
 * Sends a request from a given local address (`fetch` cannot choose one): the server sees
 * another client, as long as the address routes to it (all of 127.0.0.0/8 does, on Linux).
 */
function fetchFrom(localAddress: string, url: string, init: RequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: init.method, headers: init.headers as Record<string, string>, localAddress },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const item of [value ?? []].flat()) headers.append(name, item);
          }
          const status = incoming.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body as string | undefined);
  });
}

/**
 * A small HTTP client for the tests: JSON in, parsed JSON (or text) out. A 5xx is a bug, so
 * it fails the test at once unless the test says it expects one. Given a `localAddress`, it
 * sends from that address.
 */
export class HttpClient {
  /** `baseUrl` may be a function, for a server that starts after the client is made. */
  constructor(
    private readonly base: string | (() => string),
    readonly localAddress?: string,
  ) {}

  get baseUrl(): string {
    return typeof this.base === 'function' ? this.base() : this.base;
  }

  /** The same server, seen from another client address (`127.0.0.2`, say). */
  from(localAddress: string): HttpClient {
    return new HttpClient(this.base, localAddress);
  }

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
    const url = `${this.baseUrl}${path}`;
    const response = await (this.localAddress
      ? fetchFrom(this.localAddress, url, init)
      : fetch(url, init));
    const text = await response.text();
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
