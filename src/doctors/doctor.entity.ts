import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';
import { LENGTH } from '../common/validation/limits.js';

@Entity({ name: 'doctors' })
@Check('doctors_version_check', `"version" >= 1`)
// Unique on lower(email): an expression TypeORM cannot describe, so the migration owns it.
@Index('doctors_email_key', { synchronize: false })
@Index('doctors_created_at_idx', ['createdAt', 'id'])
@Index('doctors_specialization_idx', ['specialization', 'createdAt', 'id'])
@Index('doctors_created_by_idx', ['createdBy'])
export class Doctor {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: LENGTH.name })
  name: string;

  @Column({ type: 'varchar', length: LENGTH.specialization })
  specialization: string;

  /** Unique case-insensitively (`doctors_email_key` on lower(email)); stored as sent. */
  @Column({ type: 'varchar', length: LENGTH.email })
  email: string;

  @Column({ type: 'varchar', length: LENGTH.phone, nullable: true })
  phone: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'doctors_created_by_fkey' })
  creator?: User;

  /** Who made the latest change; the history trigger records it with each version. */
  @Column({ name: 'updated_by', type: 'uuid' })
  updatedBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'doctors_updated_by_fkey' })
  updater?: User;

  /** 1 when created, one more on every update: the database's `set_version` trigger sets it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
