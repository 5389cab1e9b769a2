import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DoctorListQuery } from '../../doctors/dto/doctor.dto.js';
import { MappingListQuery } from '../../mappings/dto/mapping.dto.js';
import { plainListQuery } from '../pagination/list-query.js';
import { StrictValidationPipe } from './validation.pipe.js';

const pipe = new StrictValidationPipe();

/** What class-transformer and class-validator answer, the plain reading bypassed. */
const validated = (value: unknown, metatype: unknown) =>
  ValidationPipe.prototype.transform.call(pipe, value, { type: 'query', metatype } as never);

const outcome = async (run: () => Promise<unknown>) => {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
};

const QUERIES: Record<string, unknown>[] = [
  {},
  { limit: '20' },
  { limit: '020', offset: '40' },
  { limit: '100', offset: '9007199254740991', sort: 'name' },
  { sort: '-createdAt' },
  { limit: '0' },
  { limit: '101' },
  { limit: '' },
  { limit: '1e2' },
  { limit: ['1', '2'] },
  { offset: '-1' },
  { offset: '9007199254740992' },
  { sort: 'password' },
  { sort: '' },
  { q: 'house' },
  { specialization: 'Cardiology', limit: '5' },
  { patientId: 'not-a-uuid' },
  { unknown: '1' },
  { __proto__: '1' },
  { constructor: '1' },
];

describe('a list query read without class-transformer and class-validator', () => {
  it('answers what the full validation answers, values, classes and errors alike', async () => {
    for (const metatype of [DoctorListQuery, MappingListQuery]) {
      for (const query of QUERIES) {
        const fast = await outcome(() =>
          pipe.transform(query, { type: 'query', metatype } as never),
        );
        const full = await outcome(() => validated(query, metatype));
        expect(fast, `${metatype.name} ${JSON.stringify(query)}`).toEqual(full);
        if ('value' in fast) expect(fast.value).toBeInstanceOf(metatype);
      }
    }
  });

  it('reads the pages of a list that way, and leaves every other query to the full validation', () => {
    expect(plainListQuery(DoctorListQuery, { limit: '20', offset: '40', sort: 'name' })).toEqual({
      limit: 20,
      offset: 40,
      sort: 'name',
    });
    expect(plainListQuery(MappingListQuery, {})).toEqual({
      limit: 20,
      offset: 0,
      sort: '-createdAt',
    });
    for (const query of [{ q: 'house' }, { limit: '0' }, { sort: 'name' }]) {
      expect(plainListQuery(MappingListQuery, query), JSON.stringify(query)).toBeUndefined();
    }
    expect(plainListQuery(String, { limit: '20' })).toBeUndefined();
  });
});
