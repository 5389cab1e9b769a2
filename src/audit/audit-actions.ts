/** The contract's audit actions: what happened, named `<resource>.<verb>`. */
export const AUDIT_ACTIONS = [
  'auth.register',
  'auth.login',
  'auth.refresh',
  'auth.refresh-reuse',
  'auth.logout',
  'auth.session-end',
  'user.update',
  'doctor.create',
  'doctor.update',
  'doctor.delete',
  'patient.create',
  'patient.read',
  'patient.update',
  'patient.delete',
  'patient.search',
  'patient.history',
  'mapping.create',
  'mapping.read',
  'mapping.update',
  'mapping.delete',
  'mapping.search',
  'audit.search',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kind of resource an event names in `resourceType`. */
export const AUDIT_RESOURCE_TYPES = [
  'user',
  'session',
  'doctor',
  'patient',
  'mapping',
  'audit-event',
] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];
