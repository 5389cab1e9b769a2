import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_CEILING,
  clientNetwork,
  LOGIN_THROTTLE,
  lockSchedule,
  throttleKeys,
} from './login-throttle.service.js';

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

describe('ACCOUNT_CEILING', () => {
  it('stays within NIST SP 800-63B (at most 100 in a row) and far above one client’s limit', () => {
    expect(ACCOUNT_CEILING.maxConsecutiveFailures).toBeLessThanOrEqual(100);
    expect(ACCOUNT_CEILING.maxFailuresPerWindow).toBeGreaterThanOrEqual(
      5 * LOGIN_THROTTLE.maxFailures,
    );
    expect(ACCOUNT_CEILING.maxFailuresPerWindow).toBeGreaterThanOrEqual(2);
  });
});

describe('clientNetwork', () => {
  it('keeps an IPv4 address, also when it arrives mapped into IPv6', () => {
    expect(clientNetwork('203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('::FFFF:127.0.0.2')).toBe('127.0.0.2');
  });

  it('reduces an IPv6 address to its /64, however it is written', () => {
    const network = '2001:db8:0:1::/64';
    expect(clientNetwork('2001:db8:0:1::7')).toBe(network);
    expect(clientNetwork('2001:0DB8:0000:0001:ffff:0:0:1')).toBe(network);
    expect(clientNetwork('2001:db8:0:1:a:b:1.2.3.4')).toBe(network);
    expect(clientNetwork('2001:db8:0:1::7%eth0')).toBe(network);
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('2001:db8:0:2::7')).not.toBe(network);
  });
});

describe('throttleKeys', () => {
  const keys = throttleKeys('a secret that is at least 32 characters long');

  it('keys an email by its trimmed, lowercased form, and does not contain it', () => {
    const key = keys.email('  Ada@Example.COM ');
    expect(key).toBe(keys.email('ada@example.com'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(keys.email('ada@example.org'));
  });

  it('keys a client by its network', () => {
    expect(keys.client('::ffff:192.0.2.1')).toBe(keys.client('192.0.2.1'));
    expect(keys.client('2001:db8::1')).toBe(keys.client('2001:db8::2'));
    expect(keys.client('192.0.2.1')).not.toBe(keys.client('192.0.2.2'));
  });

  it('depends on the secret, so that the keys cannot be recomputed without it', () => {
    const other = throttleKeys('another secret, also at least 32 characters');
    expect(other.email('ada@example.com')).not.toBe(keys.email('ada@example.com'));
    expect(other.client('192.0.2.1')).not.toBe(keys.client('192.0.2.1'));
  });
});
