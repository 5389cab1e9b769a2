import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { AuditAction, AuditResourceType } from './audit-actions.js';
import { auditDeclaration, type AuditDeclaration } from './audited.decorator.js';
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
 * declaration, its path's `id` and the request's context (set by the AuditInterceptor), then
 * what the service adds. It lives in an AsyncLocalStorage, so that services reach it without
 * it being passed through every call.
 */
export class AuditScope {
  /** The status of the event stored in the transaction of the change it records, if one was. */
  statusRecordedInTransaction?: number;
  private readonly details: AuditDetails = {};

  constructor(
    readonly declaration: AuditDeclaration,
    readonly successStatus: number,
    readonly context: RequestContext,
    private readonly pathId: string | undefined,
  ) {}

  /**
   * The scope of an operator's command (the CLI): no request, no address and no known actor
   * (whoever has the shell), so the event says only which command it was.
   */
  static forCommand(action: AuditAction, command: string, successStatus: number): AuditScope {
    return new AuditScope(
      auditDeclaration(action),
      successStatus,
      { actorId: null, requestId: randomUUID(), clientAddress: null, userAgent: `cli ${command}` },
      undefined,
    );
  }

  add(details: AuditDetails): void {
    const patientIds = [...(this.details.patientIds ?? []), ...(details.patientIds ?? [])];
    Object.assign(this.details, details, { patientIds });
  }

  /**
   * The event. Unless the service said otherwise, the resource is the path's `id` (or, for a
   * create, the id it returned; for an account's event, the account), and the patients are
   * those the route's declaration reads from the path and the answer.
   */
  toRecord(outcome: AuditOutcome, status: number, result?: unknown): AuditRecord {
    const { declaration, details } = this;
    const actorId = details.actorId !== undefined ? details.actorId : this.context.actorId;
    const returnedId = (result as { id?: unknown } | undefined)?.id;
    const defaultResourceId = declaration.search
      ? null
      : (this.pathId ??
        (typeof returnedId === 'string' ? returnedId : null) ??
        (declaration.resourceType === 'user' ? actorId : null));
    const patientIds = new Set(details.patientIds ?? []);
    if (declaration.pathNamesPatient && this.pathId) patientIds.add(this.pathId);
    if (outcome === 'success' && result !== undefined && declaration.patientsOf) {
      for (const id of declaration.patientsOf(result as never)) patientIds.add(id);
    }
    return {
      ...this.context,
      actorId,
      action: details.action ?? declaration.action,
      outcome,
      status,
      resourceType: declaration.resourceType,
      resourceId: details.resourceId !== undefined ? details.resourceId : defaultResourceId,
      patientIds: [...patientIds],
    };
  }
}

export const auditScopes = new AsyncLocalStorage<AuditScope>();
