import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { DataSource } from 'typeorm';
import type { Client } from '../common/decorators/client.decorator.js';
import { RetryLaterProblem } from '../common/problem-details.js';
import type { AppConfig } from '../config/environment.js';
import {
  LoginAccountThrottlesRepository,
  LoginThrottlesRepository,
} from './login-throttles.repository.js';

/**
 * Builds the lock durations, in seconds, for the first, second, ... lock of a failure streak:
 * `base` doubling up to `cap`, ending at the first value that reaches the cap.
 */
export function lockSchedule(baseSeconds: number, capSeconds: number): number[] {
  const schedule: number[] = [];
  for (let seconds = baseSeconds; ; seconds *= 2) {
    schedule.push(Math.min(seconds, capSeconds));
    if (seconds >= capSeconds) return schedule;
  }
}

/**
 * Protection against password guessing (OWASP Authentication Cheat Sheet; NIST SP 800-63B
 * §5.2.2). Fixed constants rather than configuration: they are policy, not deployment detail.
 */
export const LOGIN_THROTTLE = {
  /** Attempts in a row from one client that may fail before that client is locked out. */
  maxFailures: 5,
  /** Lock durations: 1 min doubling to 15 min, so a lock never lasts longer than 15 min. */
  lockSeconds: lockSchedule(60, 15 * 60),
  /** A streak with no attempt for this long starts over, and its row may be deleted. */
  forgetAfterSeconds: 24 * 60 * 60,
  /** Share of attempts that also delete (at most `pruneBatch`) forgotten rows. */
  pruneProbability: 0.01,
  pruneBatch: 1000,
} as const;

/**
 * The ceiling on one account's failures across all clients, against guessing spread over
 * many addresses. Far above what one client can reach under its own lock (about 11 failures
 * in a first hour, then 4 an hour), so that no single address can trip it quickly.
 */
export const ACCOUNT_CEILING = {
  /** Failures in the hour that starts at the first one: the last locks every client out. */
  maxFailuresPerWindow: 50,
  windowSeconds: 60 * 60,
  /** NIST's limit on consecutive failures: the last one locks every client out for a day. */
  maxConsecutiveFailures: 100,
  streakLockSeconds: 24 * 60 * 60,
} as const;

/**
 * What the counters are keyed by: an IPv4 address, or the /64 network of an IPv6 one (one
 * subscriber usually holds a whole /64, so its addresses are one client).
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : group));
  const [head, tail] = address.split('%')[0].split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const zeros = Array<string>(8 - before.length - after.length).fill('0');
  const network = [...before, ...zeros, ...after].slice(0, 4);
  return `${network.map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/**
 * The keys of the counters: HMAC-SHA256 of the trimmed, lowercased email and of the client's
 * network, under a key derived from the JWT secret (which every instance shares). Neither an
 * email nor an address is stored, and, unlike a plain hash, neither can be recovered by
 * hashing every IPv4 address or a list of emails.
 */
export function throttleKeys(secret: string) {
  const key = createHmac('sha256', secret).update('login throttle keys').digest();
  const hmac = (value: string) => createHmac('sha256', key).update(value).digest('hex');
  return {
    email: (email: string) => hmac(email.trim().toLowerCase()),
    client: (address: string) => hmac(clientNetwork(address)),
  };
}

const LOCK_DETAILS = {
  client:
    'Too many failed attempts were made for this account from this address. ' +
    'Retry after the Retry-After seconds.',
  account:
    'Too many failed attempts were made for this account from many addresses, so it is ' +
    'locked for every address. Retry after the Retry-After seconds.',
} as const;

/** A login refused, before its password was checked, because of a lock. */
export class LoginLockedProblem extends RetryLaterProblem {
  constructor(scope: keyof typeof LOCK_DETAILS, retryAfterSeconds: number) {
    super(LOCK_DETAILS[scope], retryAfterSeconds);
  }
}

interface Keys {
  email: string;
  client: string;
}

/**
 * Counts login attempts per (email, client) and per email, whether or not an account has the
 * email, so that an unknown email is locked exactly like a known one and a lock tells
 * nothing about accounts. Only one client is locked out of an account by its own failures;
 * every client is locked out by the account-wide ceiling.
 *
 * An attempt is counted *before* its password is checked, in one UPSERT per counter that
 * refuses it if that counter is locked, both in one transaction: an attempt refused by the
 * account's counter is not counted against its client either. Concurrent attempts therefore
 * cannot check more passwords than a limit allows between two locks. The attempt that
 * reaches a limit sets the lock. Attempts refused during a lock change nothing, so hammering
 * a lock does not extend it; for a client, the first failure after a lock ends locks again,
 * for twice as long, up to the cap.
 *
 * A successful login deletes its client's counter and ends the account's streak of
 * consecutive failures, but leaves the account's hourly count (less its own attempt): the
 * owner logging in during a distributed attack does not give the attackers another 50.
 */
@Injectable()
export class LoginThrottleService {
  private readonly keys: ReturnType<typeof throttleKeys>;

  constructor(
    private readonly pairs: LoginThrottlesRepository,
    private readonly accounts: LoginAccountThrottlesRepository,
    private readonly dataSource: DataSource,
    config: ConfigService<AppConfig, true>,
  ) {
    this.keys = throttleKeys(config.get('jwtSecret'));
  }

  /** Counts an attempt; the lock that refuses it, or `null` if its password may be checked. */
  async reserveAttempt(client: Client, email: string): Promise<LoginLockedProblem | null> {
    const keys = this.keysOf(client, email);
    const runner = this.dataSource.createQueryRunner();
    let refusal: LoginLockedProblem | null = null;
    try {
      await runner.startTransaction();
      const { manager } = runner;
      if (!(await this.pairs.count(manager, keys.email, keys.client, LOGIN_THROTTLE))) {
        const seconds = await this.pairs.secondsLocked(manager, keys.email, keys.client);
        refusal = new LoginLockedProblem('client', retryAfter(seconds));
      } else if (!(await this.accounts.count(manager, keys.email, ACCOUNT_LIMITS))) {
        const seconds = await this.accounts.secondsLocked(manager, keys.email);
        refusal = new LoginLockedProblem('account', retryAfter(seconds));
      }
      // A refused attempt counts nowhere: the pair's count rolls back with it.
      if (refusal) await runner.rollbackTransaction();
      else await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
    if (Math.random() < LOGIN_THROTTLE.pruneProbability) await this.prune();
    return refusal;
  }

  /** A successful login: the client's streak and the account's consecutive streak are over. */
  async recordSuccess(client: Client, email: string): Promise<void> {
    const keys = this.keysOf(client, email);
    await this.pairs.forget(keys.email, keys.client);
    await this.accounts.endStreak(keys.email);
  }

  /** Deletes a batch of counters of each kind whose streak is forgotten and that are not locked. */
  async prune(): Promise<void> {
    await this.pairs.prune(LOGIN_THROTTLE);
    await this.accounts.prune(LOGIN_THROTTLE);
  }

  private keysOf(client: Client, email: string): Keys {
    return { email: this.keys.email(email), client: this.keys.client(client.address) };
  }
}

/** The account's limits, its streak forgotten like a pair's. */
const ACCOUNT_LIMITS = {
  ...ACCOUNT_CEILING,
  forgetAfterSeconds: LOGIN_THROTTLE.forgetAfterSeconds,
};

/**
 * `Retry-After` for a refused attempt: at least a second, also when the lock ended (or its
 * row went) between the refusal and this read.
 */
function retryAfter(seconds: number | null): number {
  return Math.max(1, seconds ?? 1);
}
