import { SetMetadata } from '@nestjs/common';
import type { AuditAction, AuditResourceType } from './audit-actions.js';

export const AUDITED = 'audited';

export interface AuditDeclaration {
  action: AuditAction;
  resourceType: AuditResourceType;
  /** A search names no single resource: its `resourceId` is null. */
  search: boolean;
  /**
   * The path's `id` names a patient: the event lists it, also when the request fails (so a
   * probe of another user's patient shows in that patient's trail).
   */
  pathNamesPatient: boolean;
  /** The patients a successful answer disclosed, read from what the handler returned. */
  patientsOf?: (result: never) => readonly string[];
}

const RESOURCE_TYPES: Record<string, AuditResourceType> = {
  auth: 'user',
  user: 'user',
  doctor: 'doctor',
  patient: 'patient',
  mapping: 'mapping',
  audit: 'audit-event',
};

interface AuditOptions<Result> {
  resourceType?: AuditResourceType;
  pathNamesPatient?: boolean;
  patientsOf?: (result: Result) => readonly string[];
}

export function auditDeclaration<Result>(
  action: AuditAction,
  options: AuditOptions<Result> = {},
): AuditDeclaration {
  return {
    action,
    resourceType: options.resourceType ?? RESOURCE_TYPES[action.split('.')[0]],
    search: action.endsWith('.search'),
    pathNamesPatient: options.pathNamesPatient ?? false,
    patientsOf: options.patientsOf,
  };
}

/**
 * Declares the audit event a route records; the global AuditInterceptor reads it. A read is
 * answered only once its event is stored; a change's event is stored by its service, in the
 * change's transaction (AuditService.recordInTransaction). Failures answered 401, 403, 404,
 * 409, 412 or 429 are recorded with `outcome: "failure"`.
 */
export function Audited<Result>(
  action: AuditAction,
  options: AuditOptions<Result> = {},
): MethodDecorator {
  return SetMetadata(AUDITED, auditDeclaration(action, options));
}
