import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { LENGTH } from '../common/validation/limits.js';

@Entity({ name: 'users' })
@Index('users_email_key', ['email'], { unique: true })
@Check('users_email_check', `"email" = lower("email")`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: LENGTH.name })
  name: string;

  /** Stored trimmed and lowercased; unique. */
  @Column({ type: 'varchar', length: LENGTH.email })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 60 })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
