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
}

/**
 * What each unique index and foreign key means to a client, by constraint name. The names
 * stay here: a response only ever carries the translated status and message.
 */
const CONSTRAINTS: Record<string, DatabaseProblem> = {
  users_email_key: {
    status: HttpStatus.CONFLICT,
    detail: 'An account with this email is already registered.',
    errors: [{ field: 'email', message: 'email is already registered' }],
  },
};

/** PostgreSQL error classes that mean the database is unreachable or shutting down. */
const UNAVAILABLE = /^(08|57P)/;

/** Translates a database error into the contract's status, or `undefined` if it is a bug. */
export function translateDatabaseError(error: unknown): DatabaseProblem | undefined {
  const driverError: DriverError | undefined =
    error instanceof QueryFailedError ? (error.driverError as DriverError) : undefined;
  if (driverError?.constraint && CONSTRAINTS[driverError.constraint]) {
    return CONSTRAINTS[driverError.constraint];
  }
  if (driverError?.code === '23505') {
    return { status: HttpStatus.CONFLICT, detail: 'The resource already exists.' };
  }
  const code = driverError?.code ?? (error as DriverError | undefined)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: 'The database is unavailable. Try again shortly.',
    };
  }
  return undefined;
}
