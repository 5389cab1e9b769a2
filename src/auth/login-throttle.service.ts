import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Client } from '../common/decorators/client.decorator.js';
import { RetryLaterProblem } from '../common/problem-details.js';
import type { AppConfig } from '../config/environment.js';

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
    private readonly dataSource: DataSource,
    config: ConfigService<AppConfig, true>,
  ) {
    this.keys = throttleKeys(config.get('jwtSecret'));
  }

  /** Counts an attempt; the lock that refuses it, or `null` if its password may be checked. */
  async reserveAttempt(client: Client, email: string): Promise<LoginLockedProblem | null> {
    const keys = this.keysOf(client, email);
    const runner = this.dataSource.createQueryRunner();
    let refusal: LoginLockedProblem | null;
    try {
      await runner.startTransaction();
      refusal =
        (await this.countForClient(runner, keys)) ?? (await this.countForAccount(runner, keys));
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
    await this.dataSource.query(
      `DELETE FROM "login_throttles" WHERE "email_hash" = $1 AND "client_hash" = $2`,
      [keys.email, keys.client],
    );
    await this.dataSource.query(
      `UPDATE "login_account_throttles" SET
         "consecutive_failures" = 0,
         "window_failures" = GREATEST("window_failures" - 1, 0),
         "locked_until" = NULL
       WHERE "email_hash" = $1`,
      [keys.email],
    );
  }

  /** Deletes a batch of counters of each kind whose streak is forgotten and that are not locked. */
  async prune(): Promise<void> {
    for (const table of ['login_throttles', 'login_account_throttles']) {
      await this.dataSource.query(
        `DELETE FROM "${table}" WHERE ctid IN (
           SELECT ctid FROM "${table}"
           WHERE "updated_at" < now() - $1::int * interval '1 second'
             AND ("locked_until" IS NULL OR "locked_until" <= now())
           LIMIT $2::int
         )`,
        [LOGIN_THROTTLE.forgetAfterSeconds, LOGIN_THROTTLE.pruneBatch],
      );
    }
  }

  private keysOf(client: Client, email: string): Keys {
    return { email: this.keys.email(email), client: this.keys.client(client.address) };
  }

  private async countForClient(
    runner: QueryRunner,
    keys: Keys,
  ): Promise<LoginLockedProblem | null> {
    const { maxFailures, lockSeconds, forgetAfterSeconds } = LOGIN_THROTTLE;
    // $3 ≥ 2, so a first attempt never locks. In DO UPDATE, `t` is the row before the update
    // (re-read under its row lock), and a row still locked fails the WHERE: no row returned.
    const rows = (await runner.query(
      `INSERT INTO "login_throttles" AS t
         ("email_hash", "client_hash", "failures", "locked_until", "updated_at")
       VALUES ($1, $2, 1, NULL, now())
       ON CONFLICT ("email_hash", "client_hash") DO UPDATE SET
         "failures" = CASE
           WHEN t."updated_at" < now() - $4::int * interval '1 second' THEN 1
           ELSE t."failures" + 1
         END,
         "locked_until" = CASE
           WHEN t."updated_at" >= now() - $4::int * interval '1 second'
             AND t."failures" + 1 >= $3::int
           THEN now() + ($5::int[])[LEAST(t."failures" + 2 - $3::int, cardinality($5::int[]))]
             * interval '1 second'
         END,
         "updated_at" = now()
       WHERE t."locked_until" IS NULL OR t."locked_until" <= now()
       RETURNING 1`,
      [keys.email, keys.client, maxFailures, forgetAfterSeconds, lockSeconds],
    )) as unknown[];
    if (rows.length === 1) return null;
    const [lock] = (await runner.query(
      `SELECT ${SECONDS_LEFT} AS "seconds" FROM "login_throttles"
       WHERE "email_hash" = $1 AND "client_hash" = $2`,
      [keys.email, keys.client],
    )) as LockRow[];
    return new LoginLockedProblem('client', retryAfter(lock));
  }

  private async countForAccount(
    runner: QueryRunner,
    keys: Keys,
  ): Promise<LoginLockedProblem | null> {
    const { maxFailuresPerWindow, windowSeconds, maxConsecutiveFailures, streakLockSeconds } =
      ACCOUNT_CEILING;
    // As above, with two limits: the hour's count ($2 in $3 seconds), and the streak ($4,
    // forgotten after $5 seconds with no attempt), whose lock lasts $6 seconds.
    const rows = (await runner.query(
      `INSERT INTO "login_account_throttles" AS t ("email_hash", "window_started_at",
         "window_failures", "consecutive_failures", "locked_until", "updated_at")
       VALUES ($1, now(), 1, 1, NULL, now())
       ON CONFLICT ("email_hash") DO UPDATE SET
         "window_started_at" = CASE
           WHEN t."window_started_at" <= now() - $3::int * interval '1 second' THEN now()
           ELSE t."window_started_at"
         END,
         "window_failures" = CASE
           WHEN t."window_started_at" <= now() - $3::int * interval '1 second' THEN 1
           ELSE t."window_failures" + 1
         END,
         "consecutive_failures" = CASE
           WHEN t."updated_at" < now() - $5::int * interval '1 second' THEN 1
           ELSE t."consecutive_failures" + 1
         END,
         "locked_until" = CASE
           WHEN t."updated_at" >= now() - $5::int * interval '1 second'
             AND t."consecutive_failures" + 1 >= $4::int
           THEN now() + $6::int * interval '1 second'
           WHEN t."window_started_at" > now() - $3::int * interval '1 second'
             AND t."window_failures" + 1 >= $2::int
           THEN t."window_started_at" + $3::int * interval '1 second'
         END,
         "updated_at" = now()
       WHERE t."locked_until" IS NULL OR t."locked_until" <= now()
       RETURNING 1`,
      [
        keys.email,
        maxFailuresPerWindow,
        windowSeconds,
        maxConsecutiveFailures,
        LOGIN_THROTTLE.forgetAfterSeconds,
        streakLockSeconds,
      ],
    )) as unknown[];
    if (rows.length === 1) return null;
    const [lock] = (await runner.query(
      `SELECT ${SECONDS_LEFT} AS "seconds" FROM "login_account_throttles" WHERE "email_hash" = $1`,
      [keys.email],
    )) as LockRow[];
    return new LoginLockedProblem('account', retryAfter(lock));
  }
}

/** What SECONDS_LEFT reads of a counter's row. */
interface LockRow {
  seconds: number | null;
}

/** Whole seconds until a row's lock ends, rounded up. */
const SECONDS_LEFT = `ceil(extract(epoch FROM "locked_until" - now()))::int`;

/**
 * `Retry-After` for a refused attempt: at least a second, also when the lock ended (or its
 * row went) between the refusal and this read.
 */
function retryAfter(lock: LockRow | undefined): number {
  return Math.max(1, lock?.seconds ?? 1);
}
