import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lock } from 'proper-lockfile';

/** Another process (a running server, say) has the embedded database open. */
export class EmbeddedDatabaseInUse extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another process (a running server?): ` +
        'stop it, or set DATABASE_URL to use a PostgreSQL server.',
    );
  }
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so that TypeORM's
 * ordinary `pg` driver talks to it exactly as to a server. PGlite has one session, so the
 * socket server and the client pool are both held to a single connection: a second
 * connection would interleave protocol messages and corrupt concurrent transactions.
 *
 * PGlite's data directory is for one process only: a second one opening it would corrupt it.
 * A lock file beside it (`pglite.lock`, kept fresh while held, stale after a crash) makes a
 * second server or CLI on the same directory fail at once with EmbeddedDatabaseInUse.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly release: () => Promise<void>,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const root = resolve(dataDir);
    await mkdir(root, { recursive: true });
    const release = await lock(root, {
      lockfilePath: join(root, 'pglite.lock'),
      retries: 0,
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'ELOCKED')
        throw new EmbeddedDatabaseInUse(dataDir);
      throw error;
    });
    try {
      const db = await PGlite.create(join(root, 'pglite'));
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
      await server.start();
      const url = `postgres://postgres@${server.getServerConn()}/postgres`;
      return new EmbeddedPostgres(db, server, release, url);
    } catch (error) {
      await release();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    await this.release();
  }
}
