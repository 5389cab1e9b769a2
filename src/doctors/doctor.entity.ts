import {
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
