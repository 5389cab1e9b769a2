import { UnauthorizedException } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthService } from './auth.service.js';
import { LoginLockedProblem } from './login-throttle.service.js';

const PASSWORD = 'correct horse battery staple';
const CLIENT = { address: '192.0.2.7' };

async function setUp(options: {
  user?: { id: string; passwordHash: string };
  refusal?: LoginLockedProblem;
}) {
  const users = { findByEmail: vi.fn().mockResolvedValue(options.user ?? null) };
  const config = { get: vi.fn().mockReturnValue(4) };
  const throttle = {
    reserveAttempt: vi.fn().mockResolvedValue(options.refusal ?? null),
    recordSuccess: vi.fn().mockResolvedValue(undefined),
  };
  const manager = {};
  const transaction = vi.fn((work: (m: typeof manager) => unknown) => work(manager));
  const sessions = {
    start: vi.fn().mockResolvedValue('5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f'),
    transaction,
  };
  const jwt = { signAsync: vi.fn().mockResolvedValue('access-token') };
  const service = new AuthService(
    users as never,
    jwt as never,
    { transaction } as never,
    config as never,
    throttle as never,
    sessions as never,
    { insert: vi.fn().mockResolvedValue(undefined) } as never,
    { add: vi.fn(), recordInTransaction: vi.fn().mockResolvedValue(undefined) } as never,
  );
  await service.onModuleInit();
  return { service, throttle, compare: vi.spyOn(bcrypt, 'compare') };
}

describe('AuthService.login', () => {
  afterEach(() => vi.restoreAllMocks());

  it('compares against a dummy hash when the email is unknown, so both failures cost one hash', async () => {
    const { service, compare } = await setUp({});

    await expect(
      service.login(CLIENT, { email: 'nobody@example.com', password: 'whatever1' }),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    expect(compare).toHaveBeenCalledOnce();
    expect(compare.mock.calls[0][1]).toMatch(/^\$2[aby]\$04\$/);
  });

  it('counts the attempt before checking the password, and resets the count on success', async () => {
    const user = { id: 'u1', passwordHash: await bcrypt.hash(PASSWORD, 4) };
    const { service, throttle, compare } = await setUp({ user });

    await expect(
      service.login(CLIENT, { email: 'a@example.com', password: PASSWORD }),
    ).resolves.toMatchObject({ accessToken: 'access-token', tokenType: 'Bearer' });
    expect(throttle.reserveAttempt).toHaveBeenCalledWith(CLIENT, 'a@example.com');
    expect(throttle.reserveAttempt.mock.invocationCallOrder[0]).toBeLessThan(
      compare.mock.invocationCallOrder[0],
    );
    expect(throttle.recordSuccess).toHaveBeenCalledWith(CLIENT, 'a@example.com');
  });

  it('refuses the right password while locked with the lock, after the same one hash', async () => {
    const user = { id: 'u1', passwordHash: await bcrypt.hash(PASSWORD, 4) };
    const refusal = new LoginLockedProblem('client', 60);
    for (const known of [user, undefined]) {
      const locked = await setUp({ user: known, refusal });
      const error = await locked.service
        .login(CLIENT, { email: 'a@example.com', password: PASSWORD })
        .catch((thrown: unknown) => thrown);
      expect(error).toBe(refusal);
      expect(locked.compare).toHaveBeenCalledOnce();
      expect(locked.throttle.recordSuccess).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });

  it('answers a wrong password with the 401 and does not reset the count', async () => {
    const user = { id: 'u1', passwordHash: await bcrypt.hash(PASSWORD, 4) };
    const wrong = await setUp({ user });
    const error = await wrong.service
      .login(CLIENT, { email: 'a@example.com', password: 'wrong password' })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(wrong.throttle.recordSuccess).not.toHaveBeenCalled();
  });
});
