import type { AuditAction, AuditResourceType } from './audit-actions.js';
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One audit event: ids, an action, a status and where the request came from; never PHI.
 * The table is partitioned by month on `recorded_at` and refuses UPDATE, DELETE and TRUNCATE
 * (the migration `CreateAuditEvents` builds both; TypeORM describes neither, and its schema
 * check compares the columns, keys and indexes declared here, which match the migration's).
 */
@Entity({ name: 'audit_events' })
@Check('audit_events_outcome_check', `"outcome" IN ('success', 'failure')`)
@Index('audit_events_recorded_at_idx', ['recordedAt'])
@Index('audit_events_actor_id_recorded_at_idx', ['actorId', 'recordedAt'])
@Index('audit_events_patient_ids_idx', ['patientIds'], { type: 'gin' })
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'audit_events_pkey' })
  id: string;

  /** Part of the key because a partitioned table's key must contain its partition column. */
  @PrimaryColumn({
    name: 'recorded_at',
    type: 'timestamptz',
    default: () => 'clock_timestamp()',
    primaryKeyConstraintName: 'audit_events_pkey',
  })
  recordedAt: Date;

  @Column({ type: 'varchar', length: 32 })
  action: AuditAction;

  @Column({ type: 'varchar', length: 7 })
  outcome: AuditOutcome;

  @Column({ type: 'smallint' })
  status: number;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'resource_type', type: 'varchar', length: 32 })
  resourceType: AuditResourceType;

  @Column({ name: 'resource_id', type: 'uuid', nullable: true })
  resourceId: string | null;

  @Column({ name: 'patient_ids', type: 'uuid', array: true, default: () => "'{}'" })
  patientIds: string[];

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 45, nullable: true })
  clientAddress: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;
}
