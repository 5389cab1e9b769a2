import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { type Page, paginate, type SortColumns } from '../common/pagination/page.js';
import { LENGTH } from '../common/validation/limits.js';
import { SESSION_SORT_FIELDS, type SessionListQuery } from './dto/session.dto.js';
import { Session } from './session.entity.js';

const SORT_COLUMNS = {
  createdAt: 'session.createdAt',
  lastUsedAt: 'session.lastUsedAt',
} satisfies SortColumns<typeof SESSION_SORT_FIELDS>;

/** The sessions ended since a time, as the database saw them. */
export interface EndedSince {
  now: Date;
  ended: { id: string; ageSeconds: number }[];
}

/** Ends the live sessions matching `condition`: the ids it ended. */
async function endWhere(
  manager: EntityManager,
  condition: string,
  parameters: unknown[],
): Promise<string[]> {
  // An UPDATE answers its rows and its count.
  const [rows]: [{ id: string }[], number] = await manager.query(
    `UPDATE "sessions" SET "ended_at" = now()
     WHERE ${condition} AND "ended_at" IS NULL
     RETURNING "id"`,
    parameters,
  );
  return rows.map((row) => row.id);
}

/**
 * The SQL of `sessions`. Ending one revokes its refresh tokens in the same transaction (the
 * `sessions_revoke_tokens` trigger); a write that depends on the account checks it in the
 * same statement.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  /** Starts a session for an account that is not disabled; `undefined` if it is. */
  async start(
    manager: EntityManager,
    userId: string,
    userAgent: string | undefined,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO "sessions" ("user_id", "user_agent")
       SELECT "id", $2 FROM "users" WHERE "id" = $1 AND NOT "disabled"
       RETURNING "id"`,
      [userId, userAgent ? [...userAgent].slice(0, LENGTH.userAgent).join('') : null],
    );
    return rows[0]?.id;
  }

  /** Marks a live session of an account that is not disabled used, under its row lock. */
  async touchLive(manager: EntityManager, sessionId: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE "sessions" AS s SET "last_used_at" = now()
       FROM "users" AS u
       WHERE s."id" = $1 AND s."ended_at" IS NULL AND u."id" = s."user_id" AND NOT u."disabled"`,
      [sessionId],
    );
    return affected === 1;
  }

  /** The user's live sessions: not ended, and used within the refresh tokens' lifetime. */
  page(userId: string, refreshTtlSeconds: number, query: SessionListQuery): Promise<Page<Session>> {
    const builder = this.sessions
      .createQueryBuilder('session')
      .where('session.user_id = :userId AND session.ended_at IS NULL', { userId })
      .andWhere(`session.last_used_at > now() - :ttl * interval '1 second'`, {
        ttl: refreshTtlSeconds,
      });
    return paginate(builder, query, SORT_COLUMNS, (session) => session);
  }

  /** Ends the user's live session with this id: the ids ended (none or it). */
  endOwned(manager: EntityManager, userId: string, id: string): Promise<string[]> {
    return endWhere(manager, `"id" = $1 AND "user_id" = $2`, [id, userId]);
  }

  /** Ends the session of one of the user's live refresh tokens (a logout). */
  endByRefreshToken(manager: EntityManager, userId: string, tokenHash: string): Promise<string[]> {
    return endWhere(
      manager,
      `"id" = (SELECT "session_id" FROM "refresh_tokens"
               WHERE "token_hash" = $1 AND "user_id" = $2
                 AND "revoked_at" IS NULL AND "expires_at" > now())`,
      [tokenHash, userId],
    );
  }

  end(manager: EntityManager, sessionId: string): Promise<string[]> {
    return endWhere(manager, `"id" = $1`, [sessionId]);
  }

  endAllOf(manager: EntityManager, userId: string): Promise<string[]> {
    return endWhere(manager, `"user_id" = $1`, [userId]);
  }

  /**
   * The sessions ended after `since`, or within `accessTtlSeconds` before now when there is
   * none yet, with the database's time: the once-a-second look of EndedSessions.
   */
  async endedSince(since: Date | undefined, accessTtlSeconds: number): Promise<EndedSince> {
    const [row]: EndedSince[] = await this.sessions.query(
      `SELECT now() AS "now", COALESCE(
         (SELECT json_agg(json_build_object(
            'id', "id", 'ageSeconds', EXTRACT(EPOCH FROM now() - "ended_at")))
          FROM "sessions"
          WHERE "ended_at" > COALESCE($1::timestamptz, now() - $2::int * interval '1 second')),
         '[]') AS "ended"`,
      [since?.toISOString() ?? null, accessTtlSeconds],
    );
    return row;
  }
}
