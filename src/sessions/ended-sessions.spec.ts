import { afterEach, describe, expect, it, vi } from 'vitest';
import { EndedSessions } from './ended-sessions.js';

const ACCESS_TTL_SECONDS = 900;

function setUp(answers: { now: Date; ended: { id: string; ageSeconds: number }[] }[]) {
  const endedSince = vi.fn();
  for (const answer of answers) endedSince.mockResolvedValueOnce(answer);
  const config = { get: vi.fn().mockReturnValue(ACCESS_TTL_SECONDS) };
  const ended = new EndedSessions({ endedSince } as never, config as never);
  return { ended, endedSince };
}

describe('EndedSessions', () => {
  afterEach(() => vi.useRealTimers());

  it('loads the sessions ended within the access-token lifetime, then reads on with an overlap', async () => {
    const dbNow = new Date('2026-12-01T10:00:00.000Z');
    const { ended, endedSince } = setUp([
      { now: dbNow, ended: [{ id: 'a', ageSeconds: 10 }] },
      { now: new Date(dbNow.getTime() + 1000), ended: [{ id: 'b', ageSeconds: 0.5 }] },
    ]);
    await ended.onModuleInit();
    ended.onModuleDestroy();
    expect(endedSince.mock.calls[0]).toEqual([undefined, ACCESS_TTL_SECONDS]);
    expect(ended.isEnded('a')).toBe(true);
    expect(ended.isEnded('b')).toBe(false);

    await (ended as unknown as { poll(): Promise<void> }).poll();
    // The next look starts 30 s before the database time of the previous one.
    expect(endedSince.mock.calls[1]).toEqual([
      new Date('2026-12-01T09:59:30.000Z'),
      ACCESS_TTL_SECONDS,
    ]);
    expect(ended.isEnded('b')).toBe(true);
  });

  it('forgets a session once its access tokens have all expired (plus a margin)', async () => {
    vi.useFakeTimers();
    const dbNow = new Date();
    const { ended } = setUp([
      { now: dbNow, ended: [{ id: 'old', ageSeconds: ACCESS_TTL_SECONDS - 30 }] },
      { now: dbNow, ended: [] },
      { now: dbNow, ended: [] },
    ]);
    await ended.onModuleInit();
    ended.onModuleDestroy();
    const poll = () => (ended as unknown as { poll(): Promise<void> }).poll();
    vi.advanceTimersByTime(80_000);
    await poll();
    expect(ended.isEnded('old')).toBe(true);
    vi.advanceTimersByTime(20_000);
    await poll();
    expect(ended.isEnded('old')).toBe(false);
  });

  it('refuses a session it ended itself at once, without waiting for a look', () => {
    const { ended } = setUp([]);
    ended.remember(['mine']);
    expect(ended.isEnded('mine')).toBe(true);
    expect(ended.isEnded('other')).toBe(false);
  });
});
