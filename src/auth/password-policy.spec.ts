import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { RegisterDto } from './dto/auth.dto.js';
import { passwordPolicyProblem } from './password-policy.js';

describe('COMMON_PASSWORDS', () => {
  it('holds about a thousand distinct lowercase entries of at least 8 characters', () => {
    expect(COMMON_PASSWORDS.length).toBe(1000);
    expect(new Set(COMMON_PASSWORDS).size).toBe(1000);
    for (const password of COMMON_PASSWORDS) {
      expect(password).toMatch(/^[\x21-\x7e]{8,}$/);
      expect(password).toBe(password.toLowerCase());
    }
    expect(COMMON_PASSWORDS).toEqual(expect.arrayContaining(['password', '12345678', 'iloveyou']));
  });
});

describe('passwordPolicyProblem', () => {
  const email = 'grace.hopper@example.com';

  it.each([
    ['a common password', 'password1'],
    ['a common password in other case', 'PassWord1'],
    ['a common password with surrounding space', ' qwerty123 '],
    ['the email', email],
    ['the email in other case', 'Grace.Hopper@Example.COM'],
    ['the local part of the email', 'GRACE.HOPPER'],
  ])('refuses %s', (_case, password) => {
    expect(passwordPolicyProblem(password, email)).toMatch(/^password /);
  });

  it('names the reason', () => {
    expect(passwordPolicyProblem('grace.hopper', email)).toMatch(/email/);
    expect(passwordPolicyProblem('sunshine', email)).toMatch(/common/);
  });

  it.each([
    'correct horse battery staple',
    'grace.hopper@example.org',
    'password1!x',
    'é'.repeat(36),
  ])('accepts %s', (password) => {
    expect(passwordPolicyProblem(password, email)).toBeUndefined();
  });

  it('leaves lengths outside 8–72 bytes to the length rule', () => {
    expect(passwordPolicyProblem('abc', 'abc@example.com')).toBeUndefined();
  });

  it('reports one error on password through the DTO, after the email is normalized', async () => {
    const dto = plainToInstance(RegisterDto, {
      name: 'Grace',
      email: '  Grace.Hopper@Example.com ',
      password: 'grace.hopper@example.com',
    });
    const errors = await validate(dto, { stopAtFirstError: true });
    expect(errors.map((error) => error.property)).toEqual(['password']);
    expect(Object.values(errors[0].constraints ?? {})).toEqual([
      'password must not be the email address or its part before the @',
    ]);
  });
});
