/** Sends generated requests to the server under test, checks every answer, and counts them. */
import { recordSent, verify } from './oracle.js';
import { type Answer, type Probe, type ProbeFields, describeProbe, truncate } from './probe.js';
import { REPLAY } from './seed.js';

/** No single answer may take longer than this: a hang is a failure, not a stuck test. */
const ANSWER_TIMEOUT_MS = 10_000;

export class FuzzClient {
  private readonly statusCounts = new Map<number, number>();
  private requestCount = 0;
  private slowest: { ms: number; request: string } = { ms: 0, request: '' };

  constructor(private readonly baseUrl: string) {}

  /** Sends one request and checks its answer against the oracle (throws a report if it fails). */
  async exchange(p: Probe): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.send(p);
    } catch (error) {
      throw new Error(
        `no answer (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})\n  request:  ${describeProbe(p)}\n  (${REPLAY})`,
        { cause: error },
      );
    }
    recordSent(p);
    if (answer.elapsedMs > this.slowest.ms) {
      this.slowest = { ms: answer.elapsedMs, request: truncate(describeProbe(p), 300) };
    }
    verify(p, answer);
  }

  /** How many requests were sent, the count of each status, and the slowest answer. */
  summary(): string {
    const statuses = Object.fromEntries([...this.statusCounts].sort(([a], [b]) => a - b));
    return (
      `${this.requestCount} requests (${REPLAY}); statuses ${JSON.stringify(statuses)}; ` +
      `slowest ${this.slowest.ms.toFixed(0)} ms: ${this.slowest.request}`
    );
  }

  private async send(p: ProbeFields): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (p.authorization !== undefined) headers.authorization = p.authorization;
    const hasBody = p.body !== undefined && p.method !== 'GET';
    if (hasBody && p.contentType !== '')
      headers['content-type'] = p.contentType ?? 'application/json';
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${p.url}`, {
      method: p.method,
      headers,
      body: hasBody ? p.body : undefined,
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const text = await response.text();
    this.requestCount += 1;
    this.statusCounts.set(response.status, (this.statusCounts.get(response.status) ?? 0) + 1);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      elapsedMs: performance.now() - started,
    };
  }
}
