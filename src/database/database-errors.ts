import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

interface DatabaseProblem {
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

interface DriverError {
  code?: string;
  constraint?: string;
  message?: string;
}

const conflict = (detail: string, field?: string, message?: string): DatabaseProblem => ({
  status: HttpStatus.CONFLICT,
  detail,
  ...(field ? { errors: [{ field, message: message ?? detail }] } : {}),
});

const missing = (field: string, message: string): DatabaseProblem => ({
  status: HttpStatus.BAD_REQUEST,
  detail: 'The request is invalid: see errors.',
  errors: [{ field, message }],
});

/**
 * What each unique index means to a client, by constraint name. The names stay here: a
 * response only ever carries the translated status and message.
 */
const UNIQUE_INDEXES: Record<string, DatabaseProblem> = {
  users_email_key: conflict(
    'An account with this email is already registered.',
    'email',
    'email is already registered',
  ),
  doctors_email_key: conflict(
    'A doctor with this email already exists.',
    'email',
    'email belongs to another doctor',
  ),
  mappings_patient_id_doctor_id_key: conflict('This patient is already mapped to this doctor.'),
};

/**
 * What each foreign key means when a write names a row that does not exist (`missing`)
 * and when a delete would leave rows pointing at nothing (`referenced`).
 */
const FOREIGN_KEYS: Record<string, { missing: DatabaseProblem; referenced: DatabaseProblem }> = {
  patients_doctor_id_fkey: {
    missing: missing('doctorId', 'doctorId names no doctor'),
    referenced: conflict('The doctor is still assigned to patients; reassign them first.'),
  },
  mappings_doctor_id_fkey: {
    missing: missing('doctorId', 'doctorId names no doctor'),
    referenced: conflict('The doctor is still mapped to patients; remove the mappings first.'),
  },
  mappings_patient_fkey: {
    missing: missing('patientId', 'patientId names none of your patients'),
    referenced: conflict('The patient still has mappings.'),
  },
};

/**
 * Errors that mean the database is unreachable, shutting down or too slow: PostgreSQL's
 * connection and operator-intervention classes (08, 57P, 57014 statement timeout), socket
 * errors, and the `pg` driver's own connection failures, which carry no code.
 */
const UNAVAILABLE_CODES =
  /^(08|57P|57014$|ECONNREFUSED$|ECONNRESET$|ETIMEDOUT$|EPIPE$|EHOSTUNREACH$)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection is not established|connection error|Client was closed/i;

/** Translates a database error into the contract's status, or `undefined` if it is a bug. */
export function translateDatabaseError(error: unknown): DatabaseProblem | undefined {
  const driverError: DriverError | undefined =
    error instanceof QueryFailedError ? (error.driverError as DriverError) : undefined;
  const constraint = driverError?.constraint ?? '';
  if (driverError?.code === '23505') {
    return UNIQUE_INDEXES[constraint] ?? conflict('The resource already exists.');
  }
  if (driverError?.code === '23503' && FOREIGN_KEYS[constraint]) {
    const deleting = /^update or delete on table/.test(driverError.message ?? '');
    return FOREIGN_KEYS[constraint][deleting ? 'referenced' : 'missing'];
  }
  const cause = (driverError ?? error) as DriverError | undefined;
  const unavailable =
    (typeof cause?.code === 'string' && UNAVAILABLE_CODES.test(cause.code)) ||
    (error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message));
  if (unavailable) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: 'The database is unavailable. Try again shortly.',
    };
  }
  return undefined;
}
