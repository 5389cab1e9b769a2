import { randomUUID } from 'node:crypto';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisThrottlerStorage } from '../src/auth/redis-throttler-storage.js';
import { RedisConnection } from '../src/redis/redis.module.js';

const connection = RedisConnection.connect(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const storage = new RedisThrottlerStorage(
  connection.client!,
  connection,
  new ThrottlerStorageService(),
);
const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));

describe('the rate limit storage in the real Redis', () => {
  afterAll(() => connection.onApplicationShutdown());

  it('counts hits in a window, blocks past the limit, and starts afresh after the block', async () => {
    await connection.onModuleInit();
    const key = randomUUID();
    const hit = () => storage.increment(key, 400, 2, 400, 'default');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 1 });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    const blocked = await hit();
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    expect(await hit()).toMatchObject({ isBlocked: true });

    await sleep(500);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(
      await connection.client!.pttl(`healthcare:throttle:default:${key}:hits`),
    ).toBeGreaterThan(0);
  });

  it('counts concurrent hits atomically', async () => {
    const key = randomUUID();
    const records = await Promise.all(
      Array.from({ length: 50 }, () => storage.increment(key, 60_000, 100, 60_000, 'default')),
    );
    expect(records.map((record) => record.totalHits).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
  });
});
