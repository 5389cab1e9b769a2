import { UnauthorizedException } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { describe, expect, it, vi } from 'vitest';
import { AuthService } from './auth.service.js';

describe('AuthService.login', () => {
  it('compares against a dummy hash when the email is unknown, so both failures cost one hash', async () => {
    const users = { findByEmail: vi.fn().mockResolvedValue(null) };
    const config = { get: vi.fn().mockReturnValue(4) };
    const service = new AuthService(users as never, {} as never, {} as never, config as never);
    await service.onModuleInit();
    const compare = vi.spyOn(bcrypt, 'compare');

    await expect(
      service.login({ email: 'nobody@example.com', password: 'whatever1' }),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    expect(compare).toHaveBeenCalledOnce();
    expect(compare.mock.calls[0][1]).toMatch(/^\$2[aby]\$04\$/);
  });
});
