import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { RedisConnection } from '../redis/redis.module.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Where the counters live in Redis; the rest of the key is the throttler's own hash. */
const KEY_PREFIX = 'healthcare:throttle:';

/**
 * One atomic step of a fixed window with a block, the semantics of the throttler's
 * in-memory storage: count the hit, start the window on the first one, and past the limit
 * block the key for the block duration (dropping the window, so that a fresh one starts
 * when the block ends). While blocked, nothing is counted.
 * KEYS: hits, block. ARGV: window ms, limit, block ms.
 * Returns { hits, window ms left, blocked (0/1), block ms left }.
 */
const INCREMENT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return { tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft }
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return { hits, windowLeft, 1, tonumber(ARGV[3]) }
end
return { hits, windowLeft, 0, 0 }
`;

/**
 * The throttler's storage in Redis, so that every instance counts the same attempts.
 *
 * Written here because the published Redis storages for `@nestjs/throttler` declare
 * NestJS 11 at most as their peer. When a Redis command fails (Redis down or too slow),
 * the attempt is counted by `fallback`, the in-process storage, instead: the limit stays
 * enforced per instance rather than failing every login or letting every attempt through.
 * The outage is logged by the connection and reported by `/health/ready`.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly client: Redis,
    private readonly connection: RedisConnection,
    private readonly fallback: ThrottlerStorage,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${KEY_PREFIX}${throttlerName}:${key}`;
    let reply: [number, number, number, number];
    try {
      reply = (await this.client.eval(
        INCREMENT_SCRIPT,
        2,
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        blockDuration,
      )) as [number, number, number, number];
    } catch (error) {
      this.connection.reportDown(error as Error);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = reply;
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
    };
  }
}
