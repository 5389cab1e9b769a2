import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Matches,
  ValidateBy,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

const DURATION = /^\d+[smhd]$/;
const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Raised when the environment cannot run the service; its message is one line naming the variable. */
export class ConfigurationError extends Error {}

/** Keeps integers as numbers and anything else as given, so a malformed value fails validation. */
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** An IPv4 or IPv6 address, optionally with a CIDR prefix length. */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY` as Fastify's `trustProxy` takes it: `false` (off), a hop count, or the
 * addresses/CIDRs of the proxies whose `X-Forwarded-For` is believed. `true` (every hop) is
 * refused: it would let any client choose its own address.
 */
export type TrustProxy = false | number | string[];

function parseTrustProxy(raw: string): TrustProxy | undefined {
  const value = raw.trim();
  if (value === '' || value === 'off' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  return entries.every(isAddressOrCidr) ? entries : undefined;
}

const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** The process environment as the service reads it, validated at start-up. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.DATABASE_URL !== undefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// URL (required in production)',
  })
  DATABASE_URL?: string = undefined; // initialised so that loadConfig sees the key

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters (required in production)' })
  JWT_SECRET?: string = undefined; // initialised so that loadConfig sees the key

  @Matches(DURATION, { message: 'JWT_ACCESS_TTL must be a duration such as 900s, 15m, 12h or 7d' })
  JWT_ACCESS_TTL = '15m';

  @Matches(DURATION, { message: 'JWT_REFRESH_TTL must be a duration such as 3600s, 12h or 7d' })
  JWT_REFRESH_TTL = '7d';

  @Transform(toInteger)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_ROUNDS = 12;

  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  AUTH_RATE_LIMIT = 10;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.REDIS_URL !== undefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined; // initialised so that loadConfig sees the key

  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && parseTrustProxy(value) !== undefined,
      defaultMessage: () =>
        'TRUST_PROXY must be off, a hop count, or a comma-separated list of IP addresses or CIDRs',
    },
  })
  TRUST_PROXY = 'off';

  @Transform(toBoolean)
  @IsIn([true, false], { message: 'MIGRATIONS_RUN must be true or false' })
  MIGRATIONS_RUN = true;

  @Transform(({ value }) => toInteger({ value: emptyToUndefined({ value }) }))
  @ValidateIf((env: Environment) => env.METRICS_PORT !== undefined)
  @IsInt({ message: 'METRICS_PORT must be a port number (1-65535)' })
  @Min(1, { message: 'METRICS_PORT must be a port number (1-65535)' })
  @Max(65535, { message: 'METRICS_PORT must be a port number (1-65535)' })
  METRICS_PORT?: number = undefined; // initialised so that loadConfig sees the key

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(300)
  SHUTDOWN_DELAY_SECONDS = 5;
}

/** The validated configuration the application runs with. */
export interface AppConfig {
  nodeEnv: Environment['NODE_ENV'];
  port: number;
  databaseUrl?: string;
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  bcryptRounds: number;
  corsOrigins: string[];
  authRateLimit: number;
  dataDir: string;
  logLevel: string;
  redisUrl?: string;
  trustProxy: TrustProxy;
  migrationsRun: boolean;
  metricsPort?: number;
  shutdownDelaySeconds: number;
}

export function durationToSeconds(duration: string): number {
  return Number(duration.slice(0, -1)) * DURATION_SECONDS[duration.slice(-1)];
}

/** Validates raw variables; throws a ConfigurationError whose message names every bad variable. */
export function loadConfig(raw: Record<string, string | undefined>): AppConfig {
  const known = Object.keys(new Environment());
  const relevant = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => known.includes(key) && value !== undefined),
  );
  const env = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  const errors = validateSync(env, { stopAtFirstError: true });
  if (errors.length > 0) {
    const messages = errors.map((error) => {
      const message = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
      return message.startsWith(error.property) ? message : `${error.property} ${message}`;
    });
    throw new ConfigurationError(messages.join('; '));
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    throw new ConfigurationError(
      'METRICS_PORT must differ from PORT (metrics never share the API port)',
    );
  }
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    jwtSecret: env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    jwtSecretGenerated: env.JWT_SECRET === undefined,
    accessTtlSeconds: durationToSeconds(env.JWT_ACCESS_TTL),
    refreshTtlSeconds: durationToSeconds(env.JWT_REFRESH_TTL),
    bcryptRounds: env.BCRYPT_ROUNDS,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
    authRateLimit: env.AUTH_RATE_LIMIT,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    redisUrl: env.REDIS_URL,
    trustProxy: parseTrustProxy(env.TRUST_PROXY) as TrustProxy,
    migrationsRun: env.MIGRATIONS_RUN,
    metricsPort: env.METRICS_PORT,
    shutdownDelaySeconds: env.SHUTDOWN_DELAY_SECONDS,
  };
}

/**
 * The configuration of a process started from the command line: `.env` in the working
 * directory (if any) under the environment's variables, validated; a bad value prints its
 * one-line `Configuration error: …` and exits 1.
 */
export function loadProcessConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
}
