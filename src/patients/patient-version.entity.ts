import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { VersionOperation } from '../common/versions/history.js';
import { User } from '../users/user.entity.js';
import { Patient } from './patient.entity.js';

/**
 * One version of a patient, as the `record_patient_version` trigger wrote it in the
 * transaction that made it. It goes with its patient (ON DELETE CASCADE).
 */
@Entity({ name: 'patient_versions' })
@Check('patient_versions_operation_check', `"operation" IN ('create', 'update')`)
export class PatientVersion {
  @PrimaryColumn({
    name: 'patient_id',
    type: 'uuid',
    primaryKeyConstraintName: 'patient_versions_pkey',
  })
  patientId: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'patient_versions_pkey' })
  version: number;

  @Column({ type: 'varchar', length: 6 })
  operation: VersionOperation;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt: Date;

  @Column({ name: 'changed_by', type: 'uuid' })
  changedBy: string;

  /** The patients row as it was: `to_jsonb` of it, keyed by column name. */
  @Column({ type: 'jsonb' })
  resource: Record<string, unknown>;

  @ManyToOne(() => Patient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'patient_versions_patient_id_fkey' })
  patient?: Patient;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'changed_by', foreignKeyConstraintName: 'patient_versions_changed_by_fkey' })
  changer?: User;
}
