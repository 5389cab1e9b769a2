import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import { problemStatus } from '../common/filters/problem-details.filter.js';
import { perHandler } from '../common/handler-metadata.js';
import { AUDITED, type AuditDeclaration } from './audited.decorator.js';
import { AuditScope, auditScopes, type RequestContext } from './audit-scope.js';
import { AuditService } from './audit.service.js';

/**
 * The failures recorded: refused credentials, refused access, a missing or conflicting
 * resource, and a login refused by its lock.
 */
const RECORDED_FAILURES = new Set([401, 403, 404, 409, 412, 429]);
/** The columns' lengths: an IPv6 address with an IPv4 tail is 45 characters. */
const CLIENT_ADDRESS_LIMIT = 45;
const USER_AGENT_LIMIT = 512;

/** Who made the request and from where: the one place the audit trail reads it from. */
function requestContextOf(request: FastifyRequest & { user?: AuthUser }): RequestContext {
  const userAgent = request.headers['user-agent'];
  return {
    actorId: request.user?.id ?? null,
    requestId: request.id,
    clientAddress: request.ip ? request.ip.slice(0, CLIENT_ADDRESS_LIMIT) : null,
    // Kept printable and bounded: it is whatever the client chose to send.
    userAgent:
      typeof userAgent === 'string'
        ? userAgent.replace(/[^ -~]/g, '?').slice(0, USER_AGENT_LIMIT)
        : null,
  };
}

/** Each route's declaration, and the status its handler answers when it sets one. */
const auditedRouteOf = perHandler((handler) => ({
  declaration: Reflect.getMetadata(AUDITED, handler) as AuditDeclaration | undefined,
  httpCode: Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined,
}));

/** The audit event of the request `context` handles, if its route is `@Audited`. */
export function auditScopeOf(context: ExecutionContext): AuditScope | undefined {
  const { declaration, httpCode } = auditedRouteOf(context);
  if (!declaration) return undefined;
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
  const successStatus = httpCode ?? (request.method === 'POST' ? 201 : 200);
  const { id } = request.params as { id?: string };
  return new AuditScope(declaration, successStatus, requestContextOf(request), id);
}

/**
 * Records the event each `@Audited` route declares. The handler runs inside the request's
 * AuditScope; a successful read waits for its event to be stored before it is answered (a
 * 503 instead when it cannot be); a change's event was stored in its transaction.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = auditScopeOf(context);
    if (!scope) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return defer(() => auditScopes.run(scope, () => this.handle(scope, reply, next)));
  }

  private async handle(
    scope: AuditScope,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      const status = problemStatus(error);
      if (scope.statusRecordedInTransaction === status) {
        // The refusal's event committed with the change that came before it.
        this.audit.committedInTransactions += 1;
      } else if (RECORDED_FAILURES.has(status)) {
        await this.audit.record(scope.toRecord('failure', status));
      }
      throw error;
    }
    if (scope.statusRecordedInTransaction !== undefined) {
      // The handler returned: the transaction that holds its event has committed.
      this.audit.committedInTransactions += 1;
    } else {
      // An interceptor nearer the handler may have chosen another status (a 304).
      const status = reply.statusCode !== 200 ? reply.statusCode : scope.successStatus;
      await this.audit.record(scope.toRecord('success', status, result));
    }
    return result;
  }
}
