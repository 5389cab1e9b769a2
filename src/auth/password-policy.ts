import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEnglish from '@zxcvbn-ts/language-en';
import { registerDecorator, type ValidationArguments } from 'class-validator';

/** The password limits of the contract, in UTF-8 bytes; outside them the length check speaks. */
const MIN_BYTES = 8;
const MAX_BYTES = 72;

/**
 * The lowest zxcvbn score accepted (0–4). 3 is "safely unguessable": about 10^10 guesses,
 * out of reach of an online attack and costly offline against bcrypt.
 */
export const MIN_PASSWORD_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/**
 * zxcvbn with its common and English dictionaries, built on first use (about half a second).
 * The l33t matcher is capped at 4 substitutions: uncapped, a crafted 72-byte password took
 * about 2 s of the event loop to score; capped, at most about 0.1 s.
 */
function passwordEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    translations: zxcvbnEnglish.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
    l33tMaxSubstitutions: 4,
  });
  return estimator;
}

/** The account's own words, which a password must not lean on: name, email, email's parts. */
function userInputs(account: { name?: unknown; email?: unknown }): string[] {
  const texts = [account.name, account.email].filter(
    (text): text is string => typeof text === 'string',
  );
  const words = texts.flatMap((text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  const localParts = texts.filter((text) => text.includes('@')).map((text) => text.split('@')[0]);
  return [...texts, ...localParts, ...words].filter((word) => word.length >= 3);
}

/**
 * Why a password may not be chosen for this account, or `undefined` if it may: zxcvbn must
 * score it at least `MIN_PASSWORD_SCORE`, with the account's name and email counted as words an
 * attacker knows (so the email itself, its local part or the name scores 0). Dictionary words,
 * leaked passwords, l33t spellings, keyboard walks, repeats, sequences and dates all lower the
 * score. Only a password of valid length is judged; the length rule reports the others.
 */
export function passwordPolicyProblem(
  password: string,
  account: { name?: unknown; email?: unknown },
): string | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) return undefined;
  const { score, feedback } = passwordEstimator().check(password, userInputs(account));
  if (score >= MIN_PASSWORD_SCORE) return undefined;
  const why = feedback.warning ? ` ${feedback.warning}` : '';
  const hint = feedback.suggestions.length > 0 ? ` ${feedback.suggestions.join(' ')}` : '';
  return `password is too easy to guess (strength ${score} of 4, at least ${MIN_PASSWORD_SCORE} needed).${why}${hint}`;
}

/**
 * Refuses passwords that are too easy to guess for the object's account (see
 * `passwordPolicyProblem`). Registered after the text checks, so it only judges a string of
 * valid length.
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
          return passwordPolicyProblem(value, args.object) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          return (
            passwordPolicyProblem(String(args.value), args.object) ?? 'password is not acceptable'
          );
        },
      },
    });
}
