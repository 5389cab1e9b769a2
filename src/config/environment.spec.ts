import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from './environment.js';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: undefined,
      accessTtlSeconds: 900,
      refreshTtlSeconds: 7 * 86400,
      bcryptRounds: 12,
      corsOrigins: [],
      authRateLimit: 10,
      dataDir: './data',
      jwtSecretGenerated: true,
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h:5432/db',
      JWT_SECRET: 'x'.repeat(32),
      JWT_ACCESS_TTL: '30s',
      JWT_REFRESH_TTL: '2h',
      BCRYPT_ROUNDS: '10',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      AUTH_RATE_LIMIT: '0',
      DATA_DIR: '/tmp/x',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u@h:5432/db',
      jwtSecret: 'x'.repeat(32),
      jwtSecretGenerated: false,
      accessTtlSeconds: 30,
      refreshTtlSeconds: 7200,
      bcryptRounds: 10,
      corsOrigins: ['https://a.example', 'https://b.example'],
      authRateLimit: 0,
      dataDir: '/tmp/x',
    });
  });

  it('reads the variables for several instances', () => {
    expect(loadConfig({})).toMatchObject({
      redisUrl: undefined,
      trustProxy: false,
      migrationsRun: true,
      metricsPort: undefined,
      shutdownDelaySeconds: 5,
    });
    expect(
      loadConfig({
        REDIS_URL: 'redis://cache:6379/0',
        TRUST_PROXY: '2',
        MIGRATIONS_RUN: 'false',
        METRICS_PORT: '9464',
        SHUTDOWN_DELAY_SECONDS: '0',
      }),
    ).toMatchObject({
      redisUrl: 'redis://cache:6379/0',
      trustProxy: 2,
      migrationsRun: false,
      metricsPort: 9464,
      shutdownDelaySeconds: 0,
    });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ METRICS_PORT: '' }).metricsPort).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT /],
    [{ BCRYPT_ROUNDS: '3' }, /^BCRYPT_ROUNDS /],
    [{ JWT_ACCESS_TTL: '15 minutes' }, /^JWT_ACCESS_TTL /],
    [{ AUTH_RATE_LIMIT: '-1' }, /^AUTH_RATE_LIMIT /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL /],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET /],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV /],
    [{ REDIS_URL: 'http://cache:6379' }, /^REDIS_URL /],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '10.0.0.1, proxy.internal' }, /^TRUST_PROXY /],
    [{ MIGRATIONS_RUN: 'no' }, /^MIGRATIONS_RUN /],
    [{ METRICS_PORT: 'nine' }, /^METRICS_PORT /],
    [{ METRICS_PORT: '0' }, /^METRICS_PORT /],
    [{ METRICS_PORT: '3000' }, /^METRICS_PORT must differ from PORT/],
    [{ SHUTDOWN_DELAY_SECONDS: '-1' }, /^SHUTDOWN_DELAY_SECONDS /],
  ])('rejects %o with a line naming the variable', (raw, pattern) => {
    expect(() => loadConfig(raw)).toThrow(ConfigurationError);
    expect(() => loadConfig(raw)).toThrow(pattern);
  });

  it('requires DATABASE_URL and a long JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL.*JWT_SECRET/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://u@h/db',
        JWT_SECRET: 'y'.repeat(31),
      }),
    ).toThrow(/^JWT_SECRET must be at least 32 characters/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://u@h/db',
        JWT_SECRET: 'y'.repeat(32),
      }).jwtSecret,
    ).toBe('y'.repeat(32));
  });
});
