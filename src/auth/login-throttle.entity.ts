import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Consecutive failed logins for one normalized email from one client, whether or not an
 * account has the email, so that unknown and known emails are throttled alike. Keyed by
 * HMACs only (see `throttleKeys`): neither the email nor the address is stored.
 */
@Entity({ name: 'login_throttles' })
@Index('login_throttles_updated_at_idx', ['updatedAt'])
export class LoginThrottle {
  @PrimaryColumn({ name: 'email_hash', type: 'char', length: 64 })
  emailHash: string;

  /** The HMAC of the client's address (its /64 network for IPv6). */
  @PrimaryColumn({ name: 'client_hash', type: 'char', length: 64 })
  clientHash: string;

  /** Attempts counted since the last successful login (or since the streak was forgotten). */
  @Column({ type: 'integer' })
  failures: number;

  /** Until when this client's attempts are refused; `null` while under the threshold. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/**
 * Failed logins for one normalized email across all clients: the account-wide ceiling
 * (`ACCOUNT_CEILING`) against guessing spread over many addresses.
 */
@Entity({ name: 'login_account_throttles' })
@Index('login_account_throttles_updated_at_idx', ['updatedAt'])
export class LoginAccountThrottle {
  @PrimaryColumn({ name: 'email_hash', type: 'char', length: 64 })
  emailHash: string;

  /** The first failure of the current hour-long window. */
  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt: Date;

  /** Attempts counted in the current window, less those that succeeded. */
  @Column({ name: 'window_failures', type: 'integer' })
  windowFailures: number;

  /** Attempts counted since the last successful login (or since the streak was forgotten). */
  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures: number;

  /** Until when every client's attempts are refused; `null` while under both limits. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
