import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsUUID,
  IsOptional,
  isEmail,
  ValidateIf,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { LENGTH } from './limits.js';

/** Control characters other than tab and newline, which text fields refuse. */
const CONTROL_CHARACTERS = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F';
const FORBIDDEN_CONTROL = new RegExp(`[${CONTROL_CHARACTERS}]`, 'u');

/** The OpenAPI `pattern` of the text that text fields accept (and so of the text they store). */
export const TEXT_PATTERN = `^[^${CONTROL_CHARACTERS}]*$`;

/**
 * Whether a field must be present, may be omitted (a partial update: present values are
 * validated and `null` is refused), or is optional (omitted or `null` to clear it).
 */
export type Presence = 'required' | 'omittable' | 'nullable';

export interface TextOptions {
  min?: number;
  max: number;
  presence?: Presence;
  example: string;
  description?: string;
  /** Whether surrounding white space is kept (passwords); other text is trimmed. */
  keepWhitespace?: boolean;
  /** Extra check on the trimmed value, with its message. */
  format?: { test: (value: string) => boolean; message: string; openApiFormat?: string };
  /** Length in UTF-8 bytes rather than characters (bcrypt's 72-byte limit). */
  unit?: 'characters' | 'bytes';
}

const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

function presenceDecorators(presence: Presence): PropertyDecorator[] {
  switch (presence) {
    case 'required':
      return [IsDefined({ message: '$property is required and must not be null' })];
    case 'omittable':
      return [
        ValidateIf((_object, value) => value !== undefined),
        IsDefined({ message: '$property must not be null' }),
      ];
    case 'nullable':
      return [IsOptional()];
  }
}

/** Whether a string is valid Unicode without forbidden control characters. */
export function isCleanText(value: string): boolean {
  return value.isWellFormed() && !FORBIDDEN_CONTROL.test(value);
}

function lengthOf(value: string, unit: TextOptions['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(value, 'utf8') : [...value].length;
}

/** Validates a string: its type, length in characters (code points), and forbidden characters. */
function IsText(options: TextOptions): PropertyDecorator {
  const min = options.min ?? 1;
  const unit = options.unit ?? 'characters';
  return (target, propertyName) =>
    registerDecorator({
      name: 'isText',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown) {
          return textProblem(value, min, options) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property} ${textProblem(args.value, min, options)}`;
        },
      },
    });

  function textProblem(value: unknown, minimum: number, { max, format }: TextOptions) {
    if (typeof value !== 'string') return 'must be a string';
    if (!isCleanText(value)) return 'must be valid Unicode text without control characters';
    const length = lengthOf(value, unit);
    if (length < minimum)
      return minimum === 1 ? 'must not be empty' : `must be at least ${minimum} ${unit} long`;
    if (length > max) return `must be at most ${max} ${unit} long`;
    if (format && !format.test(value)) return format.message;
    return undefined;
  }
}

/** A text property: validation, trimming and its OpenAPI schema in one decorator. */
export function TextField(options: TextOptions): PropertyDecorator {
  const presence = options.presence ?? 'required';
  const unitNote =
    options.unit === 'bytes' ? ` (${options.min ?? 1}–${options.max} bytes of UTF-8)` : '';
  return applyDecorators(
    ApiProperty({
      type: String,
      required: presence === 'required',
      nullable: presence === 'nullable',
      // A character takes at least one byte, so a limit in bytes bounds the characters too.
      ...(options.unit === 'bytes' ? {} : { minLength: options.min ?? 1 }),
      maxLength: options.max,
      ...(options.format ? {} : { pattern: TEXT_PATTERN }),
      example: options.example,
      description: options.description
        ? `${options.description}${unitNote}`
        : unitNote.trim() || undefined,
      format: options.format?.openApiFormat,
    }),
    ...(options.keepWhitespace ? [] : [trim]),
    ...presenceDecorators(presence),
    IsText(options),
  );
}

/** An email address: trimmed, lowercased unless told otherwise, at most 254 characters. */
export function EmailField(
  options: { presence?: Presence; example?: string; lowercase?: boolean } = {},
): PropertyDecorator {
  const lowercase = options.lowercase ?? true;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (lowercase ? value.trim().toLowerCase() : value.trim()) : value,
    ),
    TextField({
      max: LENGTH.email,
      presence: options.presence,
      keepWhitespace: true,
      example: options.example ?? 'ada@example.com',
      description: lowercase
        ? 'An email address; stored trimmed and lowercased.'
        : 'An email address; stored trimmed, compared case-insensitively.',
      format: {
        test: (value) => isEmail(value),
        message: 'must be an email address',
        openApiFormat: 'email',
      },
    }),
  );
}

/** A UUID naming another resource. */
export function UuidField(options: {
  presence?: Presence;
  description: string;
  example?: string;
}): PropertyDecorator {
  const presence = options.presence ?? 'required';
  return applyDecorators(
    ApiProperty({
      type: String,
      format: 'uuid',
      required: presence === 'required',
      nullable: presence === 'nullable',
      description: options.description,
      example: options.example ?? '4d5e6f70-8192-4a3b-9c4d-5e6f708192a3',
    }),
    ...presenceDecorators(presence),
    IsUUID('all', { message: '$property must be a UUID' }),
  );
}

/** One of a fixed set of strings. */
export function EnumField(options: {
  values: readonly string[];
  presence?: Presence;
  example: string;
}): PropertyDecorator {
  const presence = options.presence ?? 'required';
  return applyDecorators(
    ApiProperty({
      enum: options.values,
      required: presence === 'required',
      example: options.example,
    }),
    ...presenceDecorators(presence),
    IsIn(options.values, { message: `$property must be one of: ${options.values.join(', ')}` }),
  );
}

/** The earliest date of birth accepted. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** A date of birth: a real calendar date, YYYY-MM-DD, from 1900 up to today (UTC). */
export function DateOfBirthField(options: { presence?: Presence } = {}): PropertyDecorator {
  const presence = options.presence ?? 'required';
  return applyDecorators(
    ApiProperty({
      type: String,
      format: 'date',
      required: presence === 'required',
      example: '1984-07-21',
      description: `YYYY-MM-DD, from ${EARLIEST_BIRTH_DATE} up to today (UTC); not in the future.`,
    }),
    ...presenceDecorators(presence),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isDateOfBirth',
        target: target.constructor,
        propertyName: propertyName as string,
        validator: {
          validate: (value: unknown) =>
            typeof value === 'string' &&
            isCalendarDate(value) &&
            value >= EARLIEST_BIRTH_DATE &&
            value <= new Date().toISOString().slice(0, 10),
          defaultMessage: (args: ValidationArguments) =>
            `${args.property} must be a date YYYY-MM-DD from ${EARLIEST_BIRTH_DATE} up to today`,
        },
      }),
  );
}

/** A boolean: `true` or `false`, nothing coerced. */
export function BooleanField(options: {
  presence?: Presence;
  example: boolean;
  description?: string;
}): PropertyDecorator {
  const presence = options.presence ?? 'required';
  return applyDecorators(
    ApiProperty({
      type: Boolean,
      required: presence === 'required',
      example: options.example,
      description: options.description,
    }),
    ...presenceDecorators(presence),
    IsBoolean({ message: '$property must be true or false' }),
  );
}
