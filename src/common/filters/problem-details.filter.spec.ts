import { Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryLaterProblem } from '../problem-details.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

function render(exception: unknown) {
  const reply = { statusCode: 0, headers: {} as Record<string, string>, body: undefined as any };
  const fastifyReply = {
    status: (code: number) => ((reply.statusCode = code), fastifyReply),
    header: (name: string, value: string) => (
      (reply.headers[name.toLowerCase()] = value),
      fastifyReply
    ),
    send: (body: unknown) => ((reply.body = body), fastifyReply),
  };
  const request = {
    method: 'POST',
    url: '/api/doctors/?q=x',
    routeOptions: { url: '/api/doctors' },
    id: 'req-42',
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => fastifyReply }),
  };
  new ProblemDetailsFilter().catch(exception, host as never);
  return reply;
}

function queryFailed(message: string, driverError: Record<string, unknown>) {
  return new QueryFailedError(
    'INSERT INTO "users" ("email") VALUES ($1)',
    ['a@b.c'],
    Object.assign(new Error(message), driverError),
  );
}

describe('ProblemDetailsFilter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('renders an HttpException as a problem document for the request path', () => {
    const reply = render(new NotFoundException('No doctor with this id.'));
    expect(reply.statusCode).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No doctor with this id.',
      instance: '/api/doctors/',
      requestId: 'req-42',
    });
    expect(reply.headers['x-request-id']).toBe('req-42');
  });

  it('turns a unique violation into a 409 without naming the constraint or the SQL', () => {
    const reply = render(
      queryFailed('duplicate key value violates unique constraint "users_email_key"', {
        code: '23505',
        constraint: 'users_email_key',
      }),
    );
    expect(reply.statusCode).toBe(409);
    expect(JSON.stringify(reply.body)).not.toMatch(/users_email_key|INSERT|duplicate key/);
  });

  it('answers an unexpected error with a generic 500 that leaks nothing, and logs it', () => {
    const log = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = render(queryFailed('relation "patients" does not exist', { code: '42P01' }));
    expect(reply.statusCode).toBe(500);
    expect(reply.body.detail).toBe('An unexpected error occurred. It has been logged.');
    expect(JSON.stringify(reply.body)).not.toMatch(/patients|INSERT|at \w+ \(/);
    expect(log).toHaveBeenCalledOnce();
  });

  it('answers a lost database connection with 503', () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = render(
      Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' }),
    );
    expect(reply.statusCode).toBe(503);
  });

  it('answers a RetryLaterProblem with 429 and its Retry-After', () => {
    const reply = render(new RetryLaterProblem('Locked for a while.', 240));
    expect(reply.statusCode).toBe(429);
    expect(reply.headers['retry-after']).toBe('240');
    expect(reply.body).toMatchObject({ status: 429, detail: 'Locked for a while.' });
  });

  it('adds WWW-Authenticate: Bearer to a 401', () => {
    const reply = render(Object.assign(new Error('x'), { statusCode: 401 }));
    expect(reply.statusCode).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
  });
});
