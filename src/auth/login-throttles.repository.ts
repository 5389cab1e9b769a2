import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** Whole seconds until a row's lock ends, rounded up (null when it is not locked). */
const SECONDS_LEFT = `ceil(extract(epoch FROM "locked_until" - now()))::int`;

/** The limits of a pair's counter (LoginThrottleService's rules). */
export interface PairLimits {
  maxFailures: number;
  lockSeconds: readonly number[];
  forgetAfterSeconds: number;
}

/** The limits of an account's counter. */
export interface AccountLimits {
  maxFailuresPerWindow: number;
  windowSeconds: number;
  maxConsecutiveFailures: number;
  forgetAfterSeconds: number;
  streakLockSeconds: number;
}

/** How many counters one prune deletes at most, and after how long they are forgotten. */
export interface PruneLimits {
  forgetAfterSeconds: number;
  pruneBatch: number;
}

/** Deletes a batch of `table`'s counters whose streak is forgotten and that are not locked. */
async function prune(dataSource: DataSource, table: string, limits: PruneLimits): Promise<void> {
  await dataSource.query(
    `DELETE FROM "${table}" WHERE ctid IN (
       SELECT ctid FROM "${table}"
       WHERE "updated_at" < now() - $1::int * interval '1 second'
         AND ("locked_until" IS NULL OR "locked_until" <= now())
       LIMIT $2::int
     )`,
    [limits.forgetAfterSeconds, limits.pruneBatch],
  );
}

/** The SQL of `login_throttles`: one counter per email and client, by their keyed hashes. */
@Injectable()
export class LoginThrottlesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts an attempt of the pair; `false` (nothing counted) while the pair is locked. */
  async count(
    manager: EntityManager,
    emailHash: string,
    clientHash: string,
    { maxFailures, lockSeconds, forgetAfterSeconds }: PairLimits,
  ): Promise<boolean> {
    // $3 ≥ 2, so a first attempt never locks. In DO UPDATE, `t` is the row before the update
    // (re-read under its row lock), and a row still locked fails the WHERE: no row returned.
    const rows: unknown[] = await manager.query(
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
      [emailHash, clientHash, maxFailures, forgetAfterSeconds, lockSeconds],
    );
    return rows.length === 1;
  }

  /** The seconds the pair's lock has left, if it has one. */
  async secondsLocked(
    manager: EntityManager,
    emailHash: string,
    clientHash: string,
  ): Promise<number | null> {
    const rows: { seconds: number | null }[] = await manager.query(
      `SELECT ${SECONDS_LEFT} AS "seconds" FROM "login_throttles"
       WHERE "email_hash" = $1 AND "client_hash" = $2`,
      [emailHash, clientHash],
    );
    return rows[0]?.seconds ?? null;
  }

  async forget(emailHash: string, clientHash: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM "login_throttles" WHERE "email_hash" = $1 AND "client_hash" = $2`,
      [emailHash, clientHash],
    );
  }

  prune(limits: PruneLimits): Promise<void> {
    return prune(this.dataSource, 'login_throttles', limits);
  }
}

/** The SQL of `login_account_throttles`: one counter per email, by its keyed hash. */
@Injectable()
export class LoginAccountThrottlesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts an attempt on the account; `false` (nothing counted) while the account is locked. */
  async count(manager: EntityManager, emailHash: string, limits: AccountLimits): Promise<boolean> {
    // As for a pair, with two limits: the hour's count ($2 in $3 seconds), and the streak ($4,
    // forgotten after $5 seconds with no attempt), whose lock lasts $6 seconds.
    const rows: unknown[] = await manager.query(
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
        emailHash,
        limits.maxFailuresPerWindow,
        limits.windowSeconds,
        limits.maxConsecutiveFailures,
        limits.forgetAfterSeconds,
        limits.streakLockSeconds,
      ],
    );
    return rows.length === 1;
  }

  async secondsLocked(manager: EntityManager, emailHash: string): Promise<number | null> {
    const rows: { seconds: number | null }[] = await manager.query(
      `SELECT ${SECONDS_LEFT} AS "seconds" FROM "login_account_throttles" WHERE "email_hash" = $1`,
      [emailHash],
    );
    return rows[0]?.seconds ?? null;
  }

  /** A successful login: the streak is over, and its own attempt leaves the hour's count. */
  async endStreak(emailHash: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "login_account_throttles" SET
         "consecutive_failures" = 0,
         "window_failures" = GREATEST("window_failures" - 1, 0),
         "locked_until" = NULL
       WHERE "email_hash" = $1`,
      [emailHash],
    );
  }

  prune(limits: PruneLimits): Promise<void> {
    return prune(this.dataSource, 'login_account_throttles', limits);
  }
}
