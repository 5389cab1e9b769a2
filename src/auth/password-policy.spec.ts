import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { RegisterDto } from './dto/auth.dto.js';
import { MIN_PASSWORD_SCORE, passwordPolicyProblem } from './password-policy.js';

describe('passwordPolicyProblem', () => {
  const account = { name: 'Grace Hopper', email: 'grace.hopper@example.com' };

  it.each([
    ['a leaked password', 'password1'],
    ['a leaked password in other case', 'PassWord1'],
    ['a l33t spelling of one', 'P@ssw0rd!'],
    ['a keyboard walk', 'qwertyuiop'],
    ['a repeat', 'abcabcabcabc'],
    ['a sequence', '123456789'],
    ['a date', '1906-12-09'],
    ['the email', account.email],
    ['the email in other case', 'Grace.Hopper@Example.COM'],
    ['the local part of the email', 'GRACE.HOPPER'],
    ['the name', 'Grace Hopper'],
  ])('refuses %s', (_case, password) => {
    expect(passwordPolicyProblem(password, account)).toMatch(
      new RegExp(`^password is too easy to guess \\(strength [0-${MIN_PASSWORD_SCORE - 1}] of 4`),
    );
  });

  it('says why and how to do better', () => {
    expect(passwordPolicyProblem('password1', account)).toMatch(/commonly used password/);
  });

  it.each([
    'correct horse battery staple',
    'Tr0ub4dor & 3 staples',
    'é'.repeat(20) + ' violet kettle',
  ])('accepts %s', (password) => {
    expect(passwordPolicyProblem(password, account)).toBeUndefined();
  });

  it('judges a password that would be strong for another account by this one', () => {
    const ada = { name: 'Ada Lovelace', email: 'ada.lovelace@example.com' };
    expect(passwordPolicyProblem('ada.lovelace1', ada)).toBeDefined();
    expect(passwordPolicyProblem('ada.lovelace1', account)).toBeUndefined();
  });

  it('leaves lengths outside 8–72 bytes to the length rule', () => {
    expect(passwordPolicyProblem('abc', account)).toBeUndefined();
    expect(passwordPolicyProblem('a'.repeat(73), account)).toBeUndefined();
  });

  it('reports one error on password through the DTO, after the email is normalized', async () => {
    const dto = plainToInstance(RegisterDto, {
      name: 'Grace',
      email: '  Grace.Hopper@Example.com ',
      password: 'grace.hopper@example.com',
    });
    const errors = await validate(dto, { stopAtFirstError: true });
    expect(errors.map((error) => error.property)).toEqual(['password']);
    expect(Object.values(errors[0].constraints ?? {})[0]).toMatch(/^password is too easy to guess/);
  });
});
