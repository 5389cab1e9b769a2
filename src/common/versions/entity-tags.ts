import { PreconditionFailedException } from '@nestjs/common';
import { ValidationProblem } from '../problem-details.js';

/**
 * Conditional requests (RFC 9110, section 13). A resource's entity tag is its version in
 * quotes, `"3"`: a strong tag, since every change of the resource makes a new version.
 *
 * `If-Match` and `If-None-Match` take `*` or a comma-separated list of entity tags, each
 * `"<characters>"` or weak `W/"<characters>"`. Anything else (a bare `3`, `*` inside a list,
 * an empty value) is a 400. Well-formed tags that name no version of the resource (`"abc"`,
 * `"03"`) are simply tags that do not match.
 */

/** The entity tag of a version, as sent in `ETag`. */
export const entityTag = (version: number): string => `"${version}"`;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

type TagList = '*' | EntityTag[];

/** One list element: an entity tag (RFC 9110's etagc: any visible character except `"`). */
const ENTITY_TAG = /(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/y;

/** What `parseTagList` accepts, as the OpenAPI document states it. */
export const TAG_LIST_PATTERN =
  '^[ \\t]*(\\*[ \\t]*|(,[ \\t]*)*(W/)?"[!#-~\\x80-\\xff]*"[ \\t]*(,[ \\t]*((W/)?"[!#-~\\x80-\\xff]*"[ \\t]*)?)*)$';
const OPTIONAL_WHITESPACE = /[ \t]*/y;

function skipWhitespace(value: string, at: number): number {
  OPTIONAL_WHITESPACE.lastIndex = at;
  OPTIONAL_WHITESPACE.exec(value);
  return OPTIONAL_WHITESPACE.lastIndex;
}

function malformed(header: string): ValidationProblem {
  return new ValidationProblem(
    [
      {
        field: header,
        message: `${header} must be * or a comma-separated list of quoted entity tags, such as "3"`,
      },
    ],
    `The ${header} header is malformed.`,
  );
}

/** Parses `If-Match` or `If-None-Match`; `undefined` when the request has none. */
function parseTagList(header: string, value: string | string[] | undefined): TagList | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (/^[ \t]*\*[ \t]*$/.test(text)) return '*';
  const tags: EntityTag[] = [];
  let at = skipWhitespace(text, 0);
  while (at < text.length) {
    // Empty list elements (`"3", , "4"`) are allowed and ignored (RFC 9110, 5.6.1).
    if (text[at] === ',') {
      at = skipWhitespace(text, at + 1);
      continue;
    }
    ENTITY_TAG.lastIndex = at;
    const match = ENTITY_TAG.exec(text);
    if (!match) throw malformed(header);
    tags.push({ weak: match[1] !== undefined, opaque: match[2] });
    at = skipWhitespace(text, ENTITY_TAG.lastIndex);
    if (at < text.length && text[at] !== ',') throw malformed(header);
  }
  if (tags.length === 0) throw malformed(header);
  return tags;
}

/** The largest version PostgreSQL's integer holds. */
export const MAX_VERSION = 2_147_483_647;

/**
 * The versions an `If-Match` accepts, or `undefined` when any version will do (no header, or
 * `*`: a missing resource is a 404 either way). If-Match compares strongly, so a weak tag
 * never matches; an empty list matches no version.
 */
export type ExpectedVersions = readonly number[] | undefined;

export function parseIfMatch(value: string | string[] | undefined): ExpectedVersions {
  const tags = parseTagList('If-Match', value);
  if (tags === undefined || tags === '*') return undefined;
  return tags
    .filter((tag) => !tag.weak && /^[1-9][0-9]{0,9}$/.test(tag.opaque))
    .map((tag) => Number(tag.opaque))
    .filter((version) => version <= MAX_VERSION);
}

/**
 * Whether an `If-None-Match` names the current version (then a GET answers 304). It compares
 * weakly: `W/"3"` matches version 3 too.
 */
export function ifNoneMatchHolds(value: string | string[] | undefined, version: number): boolean {
  const tags = parseTagList('If-None-Match', value);
  if (tags === undefined) return false;
  return tags === '*' || tags.some((tag) => tag.opaque === String(version));
}

/** Parses `If-None-Match` for its errors only: a malformed one is a 400 before any read. */
export function checkIfNoneMatch(value: string | string[] | undefined): void {
  parseTagList('If-None-Match', value);
}

/** The 412 of an `If-Match` that does not name the resource's current version. */
export function preconditionFailed(current: number): PreconditionFailedException {
  return new PreconditionFailedException(
    `If-Match does not match the current version, ${entityTag(current)} (a weak W/ tag never ` +
      'matches): the record has changed since it was read. Read it again and reapply the change.',
  );
}

/** Throws the 412 unless `expected` accepts the version the request has locked. */
export function assertExpectedVersion(expected: ExpectedVersions, current: number): void {
  if (expected !== undefined && !expected.includes(current)) throw preconditionFailed(current);
}
