import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { managerSql, poolSql } from '../database/sql.js';
import { type Page, paginate, type SortColumns } from '../common/pagination/page.js';
import type { AuditEventFilters, AuditEventResponse } from './dto/audit-event.dto.js';
import { AUDIT_EVENT_SORT_FIELDS } from './dto/audit-event.dto.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditRecord } from './audit-scope.js';

const COLUMNS = [
  'action',
  'outcome',
  'status',
  'actor_id',
  'resource_type',
  'resource_id',
  'patient_ids',
  'request_id',
  'client_address',
  'user_agent',
] as const;

const SORT_COLUMNS = {
  recordedAt: 'event.recordedAt',
} satisfies SortColumns<typeof AUDIT_EVENT_SORT_FIELDS>;

function valuesOf(record: AuditRecord): unknown[] {
  return [
    record.action,
    record.outcome,
    record.status,
    record.actorId,
    record.resourceType,
    record.resourceId,
    record.patientIds,
    record.requestId,
    record.clientAddress,
    record.userAgent,
  ];
}

function toAuditEventResponse(event: AuditEvent): AuditEventResponse {
  const { id, recordedAt, action, outcome, status, actorId, resourceType, resourceId } = event;
  const { patientIds, requestId, clientAddress, userAgent } = event;
  return {
    id,
    recordedAt,
    action,
    outcome,
    status,
    actorId,
    resourceType,
    resourceId,
    patientIds,
    requestId,
    clientAddress,
    userAgent,
  };
}

/** The SQL of `audit_events`: it only ever inserts and selects (the table refuses the rest). */
@Injectable()
export class AuditRepository {
  private readonly sql: ReturnType<typeof poolSql>;

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {
    this.sql = poolSql(events.manager.connection);
  }

  /** One multi-row INSERT of `records`, on `manager` (a transaction's) or on its own. */
  async insert(records: readonly AuditRecord[], manager?: EntityManager): Promise<void> {
    const sql = manager ? managerSql(manager) : this.sql;
    const rows = records.map(
      (_record, row) =>
        `(${COLUMNS.map((_column, column) => `$${row * COLUMNS.length + column + 1}`).join(', ')})`,
    );
    await sql(
      `INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`,
      records.flatMap(valuesOf),
    );
  }

  /** Creates the monthly partitions from this month to `monthsAhead` later, if missing. */
  async addPartitions(monthsAhead: number): Promise<void> {
    await this.events.query('SELECT audit_events_add_partitions($1)', [monthsAhead]);
  }

  search(filters: AuditEventFilters): Promise<Page<AuditEventResponse>> {
    const builder = this.events.createQueryBuilder('event');
    if (filters.actorId) builder.andWhere('event.actor_id = :actorId', filters);
    // Containment (@>) is what the GIN index on patient_ids serves.
    if (filters.patientId) {
      builder.andWhere('event.patient_ids @> ARRAY[CAST(:patientId AS uuid)]', filters);
    }
    if (filters.action) builder.andWhere('event.action = :action', filters);
    if (filters.outcome) builder.andWhere('event.outcome = :outcome', filters);
    if (filters.from) builder.andWhere('event.recorded_at >= :from', filters);
    if (filters.to) builder.andWhere('event.recorded_at < :to', filters);
    return paginate(builder, filters, SORT_COLUMNS, toAuditEventResponse);
  }
}
