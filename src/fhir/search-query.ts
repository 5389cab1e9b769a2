import type { CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import { isUUID } from 'class-validator';
import { ValidationProblem } from '../common/problem-details.js';
import { isCleanText } from '../common/validation/fields.js';
import { LENGTH } from '../common/validation/limits.js';
import { GENDERS, type Gender } from '../patients/patient.entity.js';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

/** A search parameter: its FHIR type, what it matches, and how its one value is read. */
export interface SearchParameter<Value> {
  type: NonNullable<CapabilityStatementRestResourceSearchParam['type']>;
  documentation: string;
  /** The OpenAPI schema of the raw value. */
  schema: { pattern?: string; maxLength: number; example: string };
  /** The value, or a message saying why it is not one (a 400). */
  parse(value: string): Value | { invalid: string };
}

export type SearchSpec = Record<string, SearchParameter<unknown>>;

export type SearchValues<Spec extends SearchSpec> = {
  [Name in keyof Spec]?: Exclude<ReturnType<Spec[Name]['parse']>, { invalid: string }>;
};

/** A parsed search: its values, its page, and its query as a client would repeat it. */
export interface SearchQuery<Spec extends SearchSpec> {
  values: SearchValues<Spec>;
  count: number;
  offset: number;
  /** The request's parameters, in its order: the Bundle's links repeat them. */
  params: URLSearchParams;
}

function isInvalid(value: unknown): value is { invalid: string } {
  return typeof value === 'object' && value !== null && 'invalid' in value;
}

function wholeNumber(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,16}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
}

/**
 * Reads a search's query string against its parameters (and `_format`, which only chooses
 * the media type). Anything else is a 400: an unknown parameter or modifier, a repeated one
 * (FHIR would AND them; this server does not), an empty or malformed value, `_count` outside
 * 1–100, `_offset` below 0.
 */
export function parseSearch<Spec extends SearchSpec>(
  spec: Spec,
  rawQuery: string,
): SearchQuery<Spec> {
  const params = new URLSearchParams(rawQuery);
  const errors: { field: string; message: string }[] = [];
  const values: Record<string, unknown> = {};
  let count = DEFAULT_COUNT;
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) {
      errors.push({ field: name, message: `${name} must not be repeated` });
      continue;
    }
    seen.add(name);
    if (name === '_count') {
      const parsed = wholeNumber(value, 1, MAX_COUNT);
      if (parsed === undefined)
        errors.push({
          field: name,
          message: `_count must be a whole number from 1 to ${MAX_COUNT}`,
        });
      else count = parsed;
    } else if (name === '_offset') {
      const parsed = wholeNumber(value, 0, Number.MAX_SAFE_INTEGER);
      if (parsed === undefined)
        errors.push({ field: name, message: '_offset must be a whole number, 0 or more' });
      else offset = parsed;
    } else if (name === '_format') {
      // Content negotiation, which FhirAcceptGuard has done; the links keep it.
    } else if (Object.hasOwn(spec, name)) {
      const parsed = value === '' ? { invalid: 'must not be empty' } : spec[name].parse(value);
      if (isInvalid(parsed)) errors.push({ field: name, message: `${name} ${parsed.invalid}` });
      else values[name] = parsed;
    } else {
      const known = [...Object.keys(spec), '_count', '_offset', '_format'].join(', ');
      errors.push({
        field: name,
        message: `${name} is not a supported search parameter (supported: ${known})`,
      });
    }
  }
  if (errors.length > 0) throw new ValidationProblem(errors, 'The search is invalid.');
  return { values: values as SearchValues<Spec>, count, offset, params };
}

/** A case-insensitive substring of a text, like the REST lists' `q`. */
export function textParameter(documentation: string, example: string): SearchParameter<string> {
  return {
    type: 'string',
    documentation,
    schema: { maxLength: LENGTH.queryText, example },
    parse(raw) {
      const value = raw.trim();
      if (value === '') return { invalid: 'must not be empty' };
      if (!isCleanText(value)) return { invalid: 'must be text without control characters' };
      if ([...value].length > LENGTH.queryText)
        return { invalid: `must be at most ${LENGTH.queryText} characters` };
      return value;
    },
  };
}

/** A reference to one resource of `type`: `<type>/<id>` or the bare id, a UUID. */
export function referenceParameter(type: string, documentation: string): SearchParameter<string> {
  return {
    type: 'reference',
    documentation,
    schema: {
      pattern: `^(${type}/)?[0-9A-Fa-f-]{36}$`,
      maxLength: type.length + 37,
      example: `${type}/2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b`,
    },
    parse(value) {
      const id = value.startsWith(`${type}/`) ? value.slice(type.length + 1) : value;
      return isUUID(id, 'all') ? id : { invalid: `must be ${type}/<id> or an id, a UUID` };
    },
  };
}

const GENDER_SYSTEM = 'http://hl7.org/fhir/administrative-gender';

/** Any of the administrative genders, comma-separated, each with or without its system. */
export const genderParameter: SearchParameter<Gender[]> = {
  type: 'token',
  documentation: `The gender: ${GENDERS.join(', ')}; several, comma-separated, match any.`,
  schema: { pattern: '^[a-z,|:/.-]+$', maxLength: 200, example: 'female' },
  parse(value) {
    const genders: Gender[] = [];
    for (const token of value.split(',')) {
      const bar = token.lastIndexOf('|');
      const system = bar >= 0 ? token.slice(0, bar) : undefined;
      const code = token.slice(bar + 1);
      const known = GENDERS.find((gender) => gender === code);
      if (!known || (system && system !== GENDER_SYSTEM))
        return { invalid: `must be one or more of ${GENDERS.join(', ')}, comma-separated` };
      genders.push(known);
    }
    return genders;
  },
};

/** A range of days, [from, before), either end open. */
export interface DateRange {
  from?: string;
  before?: string;
}

const DATE = /^(eq|gt|lt|ge|le)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function day(year: number, month: number, date: number): string {
  // setUTCFullYear, unlike Date.UTC, leaves years 0–99 alone; both roll overflowing days over.
  const value = new Date(0);
  value.setUTCFullYear(year, month - 1, date);
  const pad = (number: number, width: number) => String(number).padStart(width, '0');
  return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1, 2)}-${pad(value.getUTCDate(), 2)}`;
}

/**
 * A date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with an optional prefix: `eq` (the default)
 * matches the days the value spans, `ge`/`gt`/`le`/`lt` compare with its start or end.
 */
export const dateParameter: SearchParameter<DateRange> = {
  type: 'date',
  documentation:
    'A date, YYYY, YYYY-MM or YYYY-MM-DD, with an optional prefix eq (default), ge, gt, le or lt.',
  schema: {
    pattern: '^(eq|gt|lt|ge|le)?[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$',
    maxLength: 12,
    example: '1984-07-21',
  },
  parse(value) {
    const match = DATE.exec(value);
    const invalid = {
      invalid:
        'must be a date YYYY, YYYY-MM or YYYY-MM-DD, with an optional prefix eq, ge, gt, le or lt',
    };
    if (!match) return invalid;
    const [, prefix = 'eq', yearText, monthText, dateText] = match;
    const [year, month, date] = [Number(yearText), Number(monthText ?? 1), Number(dateText ?? 1)];
    const start = day(year, month, date);
    // A date that does not exist (2023-02-30) or year 0 would roll over to another one.
    if (year < 1 || start !== `${yearText}-${monthText ?? '01'}-${dateText ?? '01'}`)
      return invalid;
    const end =
      dateText !== undefined
        ? day(year, month, date + 1)
        : monthText !== undefined
          ? day(year, month + 1, 1)
          : day(year + 1, 1, 1);
    switch (prefix) {
      case 'gt':
        return { from: end };
      case 'ge':
        return { from: start };
      case 'lt':
        return { before: start };
      case 'le':
        return { before: end };
      default:
        return { from: start, before: end };
    }
  },
};
