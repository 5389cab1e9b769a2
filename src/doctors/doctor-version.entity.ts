import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { VersionOperation } from '../common/versions/history.js';
import { User } from '../users/user.entity.js';
import { Doctor } from './doctor.entity.js';

/**
 * One version of a doctor, as the `record_doctor_version` trigger wrote it in the
 * transaction that made it. It goes with its doctor (ON DELETE CASCADE).
 */
@Entity({ name: 'doctor_versions' })
@Check('doctor_versions_operation_check', `"operation" IN ('create', 'update')`)
export class DoctorVersion {
  @PrimaryColumn({
    name: 'doctor_id',
    type: 'uuid',
    primaryKeyConstraintName: 'doctor_versions_pkey',
  })
  doctorId: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'doctor_versions_pkey' })
  version: number;

  @Column({ type: 'varchar', length: 6 })
  operation: VersionOperation;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt: Date;

  @Column({ name: 'changed_by', type: 'uuid' })
  changedBy: string;

  /** The doctors row as it was: `to_jsonb` of it, keyed by column name. */
  @Column({ type: 'jsonb' })
  resource: Record<string, unknown>;

  @ManyToOne(() => Doctor, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'doctor_versions_doctor_id_fkey' })
  doctor?: Doctor;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'changed_by', foreignKeyConstraintName: 'doctor_versions_changed_by_fkey' })
  changer?: User;
}
