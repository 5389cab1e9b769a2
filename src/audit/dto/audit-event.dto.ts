import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { ApiTimestamp } from '../../common/openapi.js';
import { ListQuery } from '../../common/pagination/list-query.js';
import { PageOf } from '../../common/pagination/page.js';
import { AUDIT_ACTIONS, AUDIT_RESOURCE_TYPES, type AuditAction } from '../audit-actions.js';
import type { AuditResourceType } from '../audit-actions.js';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit-event.entity.js';

export const AUDIT_EVENT_SORT_FIELDS = ['recordedAt'] as const;

/** A date, or a date and time with an optional offset: what PostgreSQL's timestamptz reads. */
const TIMESTAMP_PATTERN =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function TimestampFilter(bound: 'from' | 'to'): PropertyDecorator {
  const message = `${bound} must be an ISO 8601 date or date-time, such as 2026-12-01T00:00:00Z`;
  return (target, key) => {
    ApiPropertyOptional({
      format: 'date-time',
      maxLength: 32,
      description:
        bound === 'from'
          ? 'Only events recorded at or after this time (ISO 8601; UTC unless an offset is given).'
          : 'Only events recorded before this time (ISO 8601; UTC unless an offset is given).',
      example: bound === 'from' ? '2026-12-01T00:00:00Z' : '2027-01-01T00:00:00Z',
    })(target, key);
    IsOptional()(target, key);
    Matches(TIMESTAMP_PATTERN, { message })(target, key);
    IsISO8601({ strict: true }, { message })(target, key);
  };
}

/** The filters of the trail that a patient's owner may use (the patient is in the path). */
export class AuditEventListQuery extends ListQuery(AUDIT_EVENT_SORT_FIELDS, '-recordedAt') {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of this actor (a user id)' })
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  actorId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only events of this action' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES, description: 'Only events with this outcome' })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES, { message: 'outcome must be success or failure' })
  outcome?: AuditOutcome;

  @TimestampFilter('from')
  from?: string;

  @TimestampFilter('to')
  to?: string;
}

/** The filters of the whole trail (admins): those above, and any patient. */
export class AdminAuditEventListQuery extends AuditEventListQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only events that disclosed or changed this patient',
  })
  @IsOptional()
  @IsUUID('all', { message: 'patientId must be a UUID' })
  patientId?: string;
}

export type AuditEventFilters = AdminAuditEventListQuery;

export class AuditEventResponse {
  @ApiProperty({ format: 'uuid', example: '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f' })
  id: string;

  @ApiTimestamp()
  recordedAt: Date;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'patient.read' })
  action: AuditAction;

  @ApiProperty({ enum: AUDIT_OUTCOMES, example: 'success' })
  outcome: AuditOutcome;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 100,
    maximum: 599,
    example: 200,
    description: 'The HTTP status the request was answered with.',
  })
  status: number;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '0b7e8f6c-3d0a-4c7b-9a59-2f6d1c8e4a11',
    description: 'The user who made the request; null when unknown (a failed login, say).',
  })
  actorId: string | null;

  @ApiProperty({ enum: AUDIT_RESOURCE_TYPES, example: 'patient' })
  resourceType: AuditResourceType;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
    description: 'The resource the request named; null for a search.',
  })
  resourceId: string | null;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: 100,
    example: ['7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d'],
    description: 'Every patient whose data the request disclosed or changed.',
  })
  patientIds: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[A-Za-z0-9._-]+$',
    maxLength: 64,
    example: '0f9a6c1e-2b7d-4c38-9f51-8e2d4b6a7c90',
    description: 'The request id (the `X-Request-Id` of its answer).',
  })
  requestId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 45,
    pattern: '^[0-9A-Fa-f.:]+$',
    example: '203.0.113.7',
    description: 'The client address the request came from.',
  })
  clientAddress: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 512,
    pattern: '^[ -~]*$',
    example: 'Mozilla/5.0',
    description: 'The `User-Agent` the client sent, cut to 512 characters.',
  })
  userAgent: string | null;
}

export class AuditEventPage extends PageOf(AuditEventResponse) {}
