import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/environment.js';
import { SessionsRepository } from './sessions.repository.js';

/** How often each instance asks PostgreSQL which sessions have ended. */
export const ENDED_SESSIONS_POLL_MS = 1_000;

/**
 * How far back each look reaches before the previous one. A session's `ended_at` is the
 * start of the transaction that ended it, so a row may become visible a little after that
 * time: overlapping looks cannot miss it (ending transactions last milliseconds).
 */
const POLL_OVERLAP_SECONDS = 30;

/** Kept past an access token's lifetime, for clock drift between the database and this host. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * The ids of recently ended sessions, in memory, so that the JWT check refuses their access
 * tokens without a database read per request. Loaded at start-up with every session ended
 * within the longest access-token lifetime (older ones have no live access token left), then
 * refreshed every second with one indexed query for the sessions ended since the last look.
 * A session ended by this instance is refused at once; by another, within about a second.
 */
@Injectable()
export class EndedSessions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EndedSessions.name);
  /** Session id → when (this host's clock, ms) its access tokens have all expired. */
  private readonly ended = new Map<string, number>();
  private readonly accessTtlSeconds: number;
  /** The database time from which the next look reads; unset before the first look. */
  private since?: Date;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private failing = false;

  constructor(
    private readonly sessions: SessionsRepository,
    config: ConfigService<AppConfig, true>,
  ) {
    this.accessTtlSeconds = config.get('accessTtlSeconds');
  }

  /** Fails start-up if the set cannot be loaded: the instance could not refuse ended sessions. */
  async onModuleInit(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.pollQuietly(), ENDED_SESSIONS_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  isEnded(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  /** Sessions this instance has just ended: refused here without waiting for the next look. */
  remember(sessionIds: string[]): void {
    const expiresAt = Date.now() + this.accessTtlSeconds * 1000 + EXPIRY_MARGIN_MS;
    for (const id of sessionIds) this.ended.set(id, expiresAt);
  }

  private async pollQuietly(): Promise<void> {
    if (this.polling) return;
    try {
      await this.poll();
      if (this.failing) this.logger.log('Reading ended sessions works again');
      this.failing = false;
    } catch (error) {
      // Until the database answers again, sessions ended elsewhere are not learnt here.
      if (!this.failing) this.logger.warn(`Cannot read ended sessions: ${String(error)}`);
      this.failing = true;
    }
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const row = await this.sessions.endedSince(this.since, this.accessTtlSeconds);
      const now = Date.now();
      for (const { id, ageSeconds } of row.ended) {
        const remainingMs = (this.accessTtlSeconds - ageSeconds) * 1000;
        this.ended.set(id, now + remainingMs + EXPIRY_MARGIN_MS);
      }
      for (const [id, expiresAt] of this.ended) if (expiresAt <= now) this.ended.delete(id);
      this.since = new Date(row.now.getTime() - POLL_OVERLAP_SECONDS * 1000);
    } finally {
      this.polling = false;
    }
  }
}
