import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

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
 * Per-account protection against password guessing (OWASP Authentication Cheat Sheet). Fixed
 * constants rather than configuration: they are policy, not deployment detail.
 */
export const LOGIN_THROTTLE = {
  /** Attempts in a row that may fail before the email is locked. */
  maxFailures: 5,
  /** Lock durations: 1 min doubling to 15 min, so a lock never lasts longer than 15 min. */
  lockSeconds: lockSchedule(60, 15 * 60),
  /** A streak with no attempt for this long starts over, and its row may be deleted. */
  forgetAfterSeconds: 24 * 60 * 60,
  /** Share of attempts that also delete (at most `pruneBatch`) forgotten rows. */
  pruneProbability: 0.01,
  pruneBatch: 1000,
} as const;

/** The key of an email's counter: SHA-256 of the trimmed, lowercased email (never the email). */
export function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/**
 * Counts login attempts per normalized email, whether or not an account has it, so that an
 * unknown email is locked exactly like a known one and the lock tells nothing about accounts.
 *
 * An attempt is counted *before* its password is checked, in one UPSERT that refuses it if
 * the email is locked: concurrent attempts therefore cannot check more than `maxFailures`
 * passwords between two locks. The attempt that reaches `maxFailures` sets the lock; a
 * successful login deletes the counter. Attempts refused during a lock change nothing, so
 * hammering a locked account does not extend its lock; the first failure after a lock ends
 * locks again, for twice as long, up to the cap.
 */
@Injectable()
export class LoginThrottleService {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts an attempt for this email; `false` if the email is locked and it must be refused. */
  async reserveAttempt(email: string): Promise<boolean> {
    const { maxFailures, lockSeconds, forgetAfterSeconds } = LOGIN_THROTTLE;
    // $2 ≥ 2, so a first attempt never locks. In DO UPDATE, `t` is the row before the update
    // (re-read under its row lock), and a row still locked fails the WHERE: no row returned.
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO "login_throttles" AS t ("email_hash", "failures", "locked_until", "updated_at")
       VALUES ($1, 1, NULL, now())
       ON CONFLICT ("email_hash") DO UPDATE SET
         "failures" = CASE
           WHEN t."updated_at" < now() - $3::int * interval '1 second' THEN 1
           ELSE t."failures" + 1
         END,
         "locked_until" = CASE
           WHEN t."updated_at" >= now() - $3::int * interval '1 second'
             AND t."failures" + 1 >= $2::int
           THEN now() + ($4::int[])[LEAST(t."failures" + 2 - $2::int, cardinality($4::int[]))]
             * interval '1 second'
         END,
         "updated_at" = now()
       WHERE t."locked_until" IS NULL OR t."locked_until" <= now()
       RETURNING 1`,
      [emailKey(email), maxFailures, forgetAfterSeconds, lockSeconds],
    );
    if (Math.random() < LOGIN_THROTTLE.pruneProbability) await this.prune();
    return rows.length === 1;
  }

  /** A successful login: the email's streak is over. */
  async recordSuccess(email: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "login_throttles" WHERE "email_hash" = $1`, [
      emailKey(email),
    ]);
  }

  /** Deletes a batch of counters whose streak is forgotten and that are not locked. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM "login_throttles" WHERE "email_hash" IN (
         SELECT "email_hash" FROM "login_throttles"
         WHERE "updated_at" < now() - $1::int * interval '1 second'
           AND ("locked_until" IS NULL OR "locked_until" <= now())
         LIMIT $2::int
       )`,
      [LOGIN_THROTTLE.forgetAfterSeconds, LOGIN_THROTTLE.pruneBatch],
    );
  }
}
