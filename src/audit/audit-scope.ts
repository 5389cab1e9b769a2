import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditAction, AuditResourceType } from './audit-actions.js';
import type { AuditOutcome } from './audit-event.entity.js';

/** Where a request came from: taken once from the request, never from a body. */
export interface RequestContext {
  actorId: string | null;
  requestId: string;
  clientAddress: string | null;
  userAgent: string | null;
}

/** What a service knows and the route does not: the resource and the patients involved. */
export interface AuditDetails {
  action?: AuditAction;
  actorId?: string | null;
  resourceId?: string | null;
  patientIds?: readonly string[];
}

/** One row of `audit_events`, before the database gives it its id and time. */
export interface AuditRecord extends RequestContext {
  action: AuditAction;
  outcome: AuditOutcome;
  status: number;
  resourceType: AuditResourceType;
  resourceId: string | null;
  patientIds: string[];
}

/**
 * The audit event of the request being handled, built up while it runs: the route's
 * declaration and the request's context (set by the AuditInterceptor), then what the service
 * adds. It lives in an AsyncLocalStorage, so that services reach it without it being passed
 * through every call.
 */
export class AuditScope {
  /** Set once the event is stored in the transaction of the change it records. */
  recordedInTransaction = false;
  private readonly details: AuditDetails = {};

  constructor(
    readonly action: AuditAction,
    readonly resourceType: AuditResourceType,
    readonly successStatus: number,
    readonly context: RequestContext,
  ) {}

  add(details: AuditDetails): void {
    const patientIds = [...(this.details.patientIds ?? []), ...(details.patientIds ?? [])];
    Object.assign(this.details, details, { patientIds });
  }

  /** The event, with the defaults the route gives for what the service did not add. */
  toRecord(
    outcome: AuditOutcome,
    status: number,
    defaults: { resourceId: string | null; patientIds: readonly string[] },
  ): AuditRecord {
    const patientIds = [...new Set([...defaults.patientIds, ...(this.details.patientIds ?? [])])];
    const actorId =
      this.details.actorId !== undefined ? this.details.actorId : this.context.actorId;
    // An account's event that names no other resource is about the account itself.
    const resourceId =
      this.details.resourceId !== undefined
        ? this.details.resourceId
        : (defaults.resourceId ?? (this.resourceType === 'user' ? actorId : null));
    return {
      ...this.context,
      actorId,
      action: this.details.action ?? this.action,
      outcome,
      status,
      resourceType: this.resourceType,
      resourceId,
      patientIds,
    };
  }
}

export const auditScopes = new AsyncLocalStorage<AuditScope>();
