import { registerDecorator, type ValidationArguments } from 'class-validator';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** Loaded once, lowercased, for case-insensitive look-ups. */
const COMMON = new Set(COMMON_PASSWORDS.map((password) => password.toLowerCase()));

/** The password limits of the contract, in UTF-8 bytes; outside them the length check speaks. */
const MIN_BYTES = 8;
const MAX_BYTES = 72;

function normalize(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Why a password may not be chosen for an account with this email, or `undefined` if it may.
 * Refused, compared trimmed and case-insensitively: the email itself, its local part (before
 * the last `@`), and the most common passwords. Only checks a password of valid length; the
 * length rule reports the others.
 */
export function passwordPolicyProblem(password: string, email: unknown): string | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) return undefined;
  const candidate = normalize(password);
  if (typeof email === 'string' && email.includes('@')) {
    const address = normalize(email);
    const localPart = address.slice(0, address.lastIndexOf('@'));
    if (candidate === address || candidate === localPart) {
      return 'password must not be the email address or its part before the @';
    }
  }
  if (COMMON.has(candidate)) {
    return 'password is too common (it appears in lists of leaked passwords); choose another';
  }
  return undefined;
}

/**
 * Refuses passwords that equal the object's `email` (or its local part) or are among the most
 * common ones. Registered after the text checks, so it only judges a string of valid length.
 */
export function AcceptablePassword(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'acceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string') return true;
          const email = (args.object as { email?: unknown }).email;
          return passwordPolicyProblem(value, email) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          const email = (args.object as { email?: unknown }).email;
          return passwordPolicyProblem(String(args.value), email) ?? 'password is not acceptable';
        },
      },
    });
}
