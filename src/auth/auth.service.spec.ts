import { UnauthorizedException } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthService } from './auth.service.js';

const PASSWORD = 'correct horse battery staple';

async function setUp(options: { user?: { id: string; passwordHash: string }; allowed: boolean }) {
  const users = { findByEmail: vi.fn().mockResolvedValue(options.user ?? null) };
  const config = { get: vi.fn().mockReturnValue(4) };
  const throttle = {
    reserveAttempt: vi.fn().mockResolvedValue(options.allowed),
    recordSuccess: vi.fn().mockResolvedValue(undefined),
  };
  const manager = { insert: vi.fn().mockResolvedValue(undefined) };
  const dataSource = {
    transaction: vi.fn((work: (m: typeof manager) => unknown) => work(manager)),
  };
  const sessions = { start: vi.fn().mockResolvedValue('5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f') };
  const jwt = { signAsync: vi.fn().mockResolvedValue('access-token') };
  const service = new AuthService(
    users as never,
    jwt as never,
    dataSource as never,
    config as never,
    throttle as never,
    sessions as never,
  );
  await service.onModuleInit();
  return { service, throttle, compare: vi.spyOn(bcrypt, 'compare') };
}

describe('AuthService.login', () => {
  afterEach(() => vi.restoreAllMocks());

  it('compares against a dummy hash when the email is unknown, so both failures cost one hash', async () => {
    const { service, compare } = await setUp({ allowed: true });

    await expect(
      service.login({ email: 'nobody@example.com', password: 'whatever1' }),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    expect(compare).toHaveBeenCalledOnce();
    expect(compare.mock.calls[0][1]).toMatch(/^\$2[aby]\$04\$/);
  });

  it('counts the attempt before checking the password, and resets the count on success', async () => {
    const user = { id: 'u1', passwordHash: await bcrypt.hash(PASSWORD, 4) };
    const { service, throttle, compare } = await setUp({ user, allowed: true });

    await expect(
      service.login({ email: 'a@example.com', password: PASSWORD }),
    ).resolves.toMatchObject({ accessToken: 'access-token', tokenType: 'Bearer' });
    expect(throttle.reserveAttempt).toHaveBeenCalledWith('a@example.com');
    expect(throttle.reserveAttempt.mock.invocationCallOrder[0]).toBeLessThan(
      compare.mock.invocationCallOrder[0],
    );
    expect(throttle.recordSuccess).toHaveBeenCalledWith('a@example.com');
  });

  it('refuses the right password while locked, with the same error, after the same one hash', async () => {
    const user = { id: 'u1', passwordHash: await bcrypt.hash(PASSWORD, 4) };
    const locked = await setUp({ user, allowed: false });
    const lockedError = await locked.service
      .login({ email: 'a@example.com', password: PASSWORD })
      .catch((error: unknown) => error);
    expect(locked.compare).toHaveBeenCalledOnce();
    expect(locked.throttle.recordSuccess).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    const wrong = await setUp({ user, allowed: true });
    const wrongError = await wrong.service
      .login({ email: 'a@example.com', password: 'wrong password' })
      .catch((error: unknown) => error);
    expect(lockedError).toBeInstanceOf(UnauthorizedException);
    expect((lockedError as UnauthorizedException).getResponse()).toEqual(
      (wrongError as UnauthorizedException).getResponse(),
    );
    expect(wrong.throttle.recordSuccess).not.toHaveBeenCalled();
  });
});
