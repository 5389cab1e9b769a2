import { describe, expect, it } from 'vitest';
import { emailKey, LOGIN_THROTTLE, lockSchedule } from './login-throttle.service.js';

describe('lockSchedule', () => {
  it('doubles from the base and stops at the cap', () => {
    expect(lockSchedule(60, 900)).toEqual([60, 120, 240, 480, 900]);
    expect(lockSchedule(60, 480)).toEqual([60, 120, 240, 480]);
    expect(lockSchedule(900, 900)).toEqual([900]);
  });

  it('is what the service locks with: 1 minute doubling to at most 15 minutes, after 5 failures', () => {
    expect(LOGIN_THROTTLE.lockSeconds).toEqual([60, 120, 240, 480, 900]);
    expect(Math.max(...LOGIN_THROTTLE.lockSeconds)).toBe(15 * 60);
    expect(LOGIN_THROTTLE.maxFailures).toBeGreaterThanOrEqual(2);
  });
});

describe('emailKey', () => {
  it('is the SHA-256 of the trimmed, lowercased email, and does not contain it', () => {
    const key = emailKey('  Ada@Example.COM ');
    expect(key).toBe(emailKey('ada@example.com'));
    expect(key).toBe('b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72');
  });
});
