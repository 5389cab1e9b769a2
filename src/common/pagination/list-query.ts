import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { isCleanText } from '../validation/fields.js';
import { LENGTH } from '../validation/limits.js';

/** Keeps a query value that is all digits as a number; anything else stays a string and fails. */
const toWholeNumber = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value,
);

export const trimQuery = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

export type ListQueryType = {
  limit: number;
  offset: number;
  sort: string;
};

/** Where a list query class keeps its sort values, for `plainListQuery`. */
const SORT_VALUES = Symbol('sortValues');
const WHOLE_NUMBER = /^\d{1,16}$/;

/**
 * A list query that names nothing but `limit`, `offset` and `sort`, each once and valid (the
 * common case: the next page), read without class-transformer and class-validator: the
 * instance with those values, as the validation pipe would answer it. Anything else, and any
 * invalid value, is `undefined`: the pipe then validates it as usual, with its messages.
 */
export function plainListQuery(metatype: unknown, query: unknown): object | undefined {
  if (typeof metatype !== 'function' || typeof query !== 'object' || query === null) return;
  const sortValues = (metatype as { [SORT_VALUES]?: readonly string[] })[SORT_VALUES];
  if (!sortValues) return;
  const values: Partial<ListQueryType> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') return;
    if (key === 'limit' || key === 'offset') {
      const number = WHOLE_NUMBER.test(value) ? Number(value) : NaN;
      const valid =
        key === 'limit' ? number >= 1 && number <= 100 : number <= Number.MAX_SAFE_INTEGER;
      if (!valid) return;
      values[key] = number;
    } else if (key === 'sort' && sortValues.includes(value)) {
      values.sort = value;
    } else {
      return;
    }
  }
  return Object.assign(new (metatype as new () => object)(), values);
}

/**
 * The query every list takes: `limit` (1–100, default 20), `offset` (default 0) and `sort`,
 * a whitelisted field with an optional `-` for descending (default `defaultSort`, `-createdAt`
 * unless given).
 */
export function ListQuery<const Field extends string>(
  sortFields: readonly Field[],
  defaultSort: Field | `-${Field}` = '-createdAt' as `-${Field}`,
) {
  const sortValues = sortFields.flatMap((field) => [field, `-${field}`]);

  class ListQueryBase {
    static readonly [SORT_VALUES]: readonly string[] = sortValues;

    @ApiPropertyOptional({
      minimum: 1,
      maximum: 100,
      default: 20,
      type: 'integer',
      format: 'int32',
      example: 20,
    })
    @toWholeNumber
    @IsOptional()
    @IsInt({ message: 'limit must be a whole number from 1 to 100' })
    @Min(1, { message: 'limit must be a whole number from 1 to 100' })
    @Max(100, { message: 'limit must be a whole number from 1 to 100' })
    limit = 20;

    @ApiPropertyOptional({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      type: 'integer',
      format: 'int64',
      example: 0,
    })
    @toWholeNumber
    @IsOptional()
    @IsInt({ message: 'offset must be a whole number, 0 or more' })
    @Min(0, { message: 'offset must be a whole number, 0 or more' })
    @Max(Number.MAX_SAFE_INTEGER, { message: 'offset is too large' })
    offset = 0;

    @ApiPropertyOptional({
      enum: sortValues,
      default: defaultSort,
      description: 'A field to sort by; a leading `-` sorts descending.',
    })
    @IsOptional()
    @IsIn(sortValues, { message: `sort must be one of: ${sortValues.join(', ')}` })
    sort: Field | `-${Field}` = defaultSort;
  }
  return ListQueryBase;
}

/** An optional text filter of a list: trimmed, one value, at most 100 clean characters. */
export function QueryTextField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, maxLength: LENGTH.queryText }),
    trimQuery,
    IsOptional(),
    IsString({ message: '$property must be a single string' }),
    MaxLength(LENGTH.queryText, {
      message: `$property must be at most ${LENGTH.queryText} characters`,
    }),
    ValidateBy({
      name: 'isCleanText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCleanText(value),
        defaultMessage: () => '$property must be valid Unicode text without control characters',
      },
    }),
  );
}

/** The optional case-insensitive substring filter `q`. */
export const SearchField = (description: string) => QueryTextField(description);
