import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase, freshDatabaseName } from '../scripts/lib/local-server.mjs';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { migrations } from '../src/database/migrations/index.js';
import { CreateRolesAndSessions1764300000000 } from '../src/database/migrations/1764300000000-CreateRolesAndSessions.js';

describe('migration CreateRolesAndSessions on a database with logins', () => {
  const name = freshDatabaseName('healthcare_migration');
  let url: string;

  beforeAll(async () => {
    url = await createDatabase(name);
  });
  afterAll(() => dropDatabase(name));

  it('turns each refresh-token family into a session, ended when no token of it is usable', async () => {
    const before = migrations.indexOf(CreateRolesAndSessions1764300000000);
    const earlier = new DataSource({
      ...dataSourceOptions(url, false),
      migrations: migrations.slice(0, before),
    });
    await earlier.initialize();
    const userId = randomUUID();
    const [live, dead] = [randomUUID(), randomUUID()];
    try {
      await earlier.runMigrations();
      await earlier.query(
        `INSERT INTO users (id, name, email, password_hash) VALUES ($1, 'Old', 'old@example.com', 'x')`,
        [userId],
      );
      await earlier.query(
        `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, revoked_at, created_at) VALUES
           ($1, $2, 'a', now() + interval '1 day', now() - interval '1 hour', now() - interval '2 hours'),
           ($1, $2, 'b', now() + interval '1 day', NULL, now() - interval '1 hour'),
           ($1, $3, 'c', now() + interval '1 day', now() - interval '3 hours', now() - interval '4 hours')`,
        [userId, live, dead],
      );
    } finally {
      await earlier.destroy();
    }

    // Up to this migration only, so that undoing the last one undoes this one.
    const current = new DataSource({
      ...dataSourceOptions(url, false),
      migrations: migrations.slice(0, before + 1),
    });
    await current.initialize();
    try {
      await current.runMigrations();
      const sessions: { id: string; ended: boolean; last_used_at: Date; created_at: Date }[] =
        await current.query(
          `SELECT id, ended_at IS NOT NULL AS ended, created_at, last_used_at FROM sessions ORDER BY created_at`,
        );
      expect(sessions.map(({ id, ended }) => ({ id, ended }))).toEqual([
        { id: dead, ended: true },
        { id: live, ended: false },
      ]);
      expect(sessions[1].last_used_at.getTime()).toBeGreaterThan(sessions[1].created_at.getTime());
      const [user] = await current.query(`SELECT role, disabled FROM users WHERE id = $1`, [
        userId,
      ]);
      expect(user).toEqual({ role: 'user', disabled: false });
      await current.undoLastMigration();
      const [token] = await current.query(
        `SELECT family_id FROM refresh_tokens WHERE token_hash = 'b'`,
      );
      expect(token.family_id).toBe(live);
    } finally {
      await current.destroy();
    }
  });
});
