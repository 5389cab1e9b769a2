import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ProblemDetails, RetryLaterProblem, ValidationProblem } from '../problem-details.js';
import { translateDatabaseError } from '../../database/database-errors.js';
import { FHIR_JSON, isFhirRequest, toOperationOutcome } from '../../fhir/operation-outcome.js';

export interface Problem {
  status: number;
  detail: string;
  errors?: ProblemDetails['errors'];
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
}

/** Messages for the errors Fastify raises before a request reaches a controller. */
const FRAMEWORK_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than 100 kB.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'The request body must be application/json.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but its Content-Type is JSON.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length header does not match the body.',
};

function hasStatusCode(error: unknown): error is Error & { statusCode: number; code?: string } {
  return (
    error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}

function fromHttpException(exception: HttpException): Problem {
  const status = exception.getStatus();
  if (exception instanceof ValidationProblem) {
    return { status, detail: exception.message, errors: exception.errors };
  }
  if (exception instanceof RetryLaterProblem) {
    return { status, detail: exception.message, retryAfterSeconds: exception.retryAfterSeconds };
  }
  const response = exception.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : ((response as { message?: unknown }).message ?? exception.message);
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : exception.message;
  return { status, detail };
}

/** Reduces any thrown value to a status and a message that is safe to show a client. */
function toProblem(exception: unknown): Problem {
  if (exception instanceof HttpException) return fromHttpException(exception);
  const database = translateDatabaseError(exception);
  if (database) return database;
  if (hasStatusCode(exception) && exception.statusCode >= 400 && exception.statusCode < 500) {
    const detail =
      (exception.code && FRAMEWORK_DETAILS[exception.code]) ||
      (exception instanceof SyntaxError
        ? FRAMEWORK_DETAILS.FST_ERR_CTP_INVALID_JSON_BODY
        : STATUS_CODES[exception.statusCode]);
    return { status: exception.statusCode, detail: detail ?? 'The request was refused.' };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    detail: 'An unexpected error occurred. It has been logged.',
  };
}

/** The status that the answer to `exception` will carry (the audit trail records it). */
export function problemStatus(exception: unknown): number {
  return toProblem(exception).status;
}

/**
 * Sends `problem` as an RFC 9457 document for this request, or as an OperationOutcome under
 * /fhir: decided here, where every failure ends (an unknown path, a refused body, a guard, a
 * handler), so that no FHIR client ever gets problem+json. Both carry the same headers.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): void {
  const requestId = request.id;
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  if (problem.retryAfterSeconds !== undefined) {
    reply.header('Retry-After', String(problem.retryAfterSeconds));
  }
  reply.status(problem.status).header('X-Request-Id', requestId);
  if (isFhirRequest(request)) {
    reply.header('Content-Type', `${FHIR_JSON}; charset=utf-8`).send(toOperationOutcome(problem));
    return;
  }
  const body: ProblemDetails = {
    type: 'about:blank',
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance: request.url.split('?')[0],
    requestId,
    ...(problem.errors?.length ? { errors: problem.errors } : {}),
  };
  reply.header('Content-Type', 'application/problem+json; charset=utf-8').send(body);
}

/**
 * Answers a request Node's HTTP parser refused (headers or URL too large, malformed request
 * line) with a problem document written on the socket: no request object exists yet.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({
    type: 'about:blank',
    title: STATUS_CODES[status],
    status,
    detail: status === 431 ? 'The URL or headers are too large.' : 'The request is malformed.',
    instance: '',
    requestId: randomUUID(),
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
      `Content-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Answers every error as an RFC 9457 problem document, and never with internals. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = toProblem(exception);
    if (problem.status >= 500) this.logFailure(exception, request);
    sendProblem(request, reply, problem);
  }

  /**
   * Logs what locates a failure (its type, code and stack frames) but not its message: a
   * database message can quote the values of a row.
   */
  private logFailure(exception: unknown, request: FastifyRequest): void {
    const error = exception instanceof Error ? exception : new Error('non-error thrown');
    const driverCode = (error as { driverError?: { code?: string } }).driverError?.code;
    this.logger.error({
      msg: 'request failed',
      requestId: request.id,
      route: request.routeOptions?.url ?? 'unmatched',
      type: error.name,
      code: driverCode ?? (error as { code?: string }).code,
      frames: error.stack?.split('\n').slice(1, 8).join('\n'),
    });
  }
}
