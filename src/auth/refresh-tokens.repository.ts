import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RefreshToken } from './refresh-token.entity.js';

/**
 * The SQL of `refresh_tokens`, stored as SHA-256 hashes. (A session's end revokes its tokens
 * through the database's `sessions_revoke_tokens` trigger.)
 */
@Injectable()
export class RefreshTokensRepository {
  async insert(
    manager: EntityManager,
    token: Pick<RefreshToken, 'userId' | 'sessionId' | 'tokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await manager.insert(RefreshToken, token);
  }

  /** The token with this hash, locked until the transaction ends (a refresh rotates it). */
  findForUpdate(manager: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, {
      where: { tokenHash },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async revoke(manager: EntityManager, id: string): Promise<void> {
    await manager.update(RefreshToken, { id }, { revokedAt: () => 'now()' });
  }
}
