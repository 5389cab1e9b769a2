import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { LENGTH } from '../common/validation/limits.js';
import { User } from '../users/user.entity.js';

/**
 * One login: the refresh tokens it rotates through belong to it, and its access tokens name it
 * (claim `sid`). Ending it (`endedAt`) revokes them all.
 */
@Entity({ name: 'sessions' })
@Index('sessions_user_id_idx', ['userId'], { where: '"ended_at" IS NULL' })
@Index('sessions_ended_at_idx', ['endedAt'], { where: '"ended_at" IS NOT NULL' })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: User;

  /** The `User-Agent` of the login, cut to its length limit. */
  @Column({ name: 'user_agent', type: 'varchar', length: LENGTH.userAgent, nullable: true })
  userAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The login, or the last refresh. */
  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
