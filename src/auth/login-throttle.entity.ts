import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Consecutive failed logins for one normalized email, whether or not an account has it, so
 * that unknown and known emails are throttled alike. Keyed by the email's SHA-256 only: the
 * email itself is never stored here.
 */
@Entity({ name: 'login_throttles' })
@Index('login_throttles_updated_at_idx', ['updatedAt'])
export class LoginThrottle {
  @PrimaryColumn({ name: 'email_hash', type: 'char', length: 64 })
  emailHash: string;

  /** Attempts counted since the last successful login (or since the streak was forgotten). */
  @Column({ type: 'integer' })
  failures: number;

  /** Until when every attempt is refused; `null` while under the threshold. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
