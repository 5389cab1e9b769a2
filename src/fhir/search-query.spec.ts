import { describe, expect, it } from 'vitest';
import { ValidationProblem } from '../common/problem-details.js';
import { toSearchBundle } from './bundle.mapper.js';
import { acceptsFhirJson } from './fhir-http.js';
import { fhirString } from './fhir-string.js';
import { toOperationOutcome } from './operation-outcome.js';
import { dateParameter, genderParameter, parseSearch } from './search-query.js';
import { PATIENT_SEARCH } from './searches.js';

const ID = '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b';

function errorsOf(query: string): string[] {
  try {
    parseSearch(PATIENT_SEARCH, query);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationProblem);
    return (error as ValidationProblem).errors?.map((entry) => entry.field) ?? [];
  }
  throw new Error(`${query} was accepted`);
}

describe('the birthdate parameter', () => {
  it.each([
    ['1984-07-21', { from: '1984-07-21', before: '1984-07-22' }],
    ['eq1984-07', { from: '1984-07-01', before: '1984-08-01' }],
    ['1984', { from: '1984-01-01', before: '1985-01-01' }],
    ['1984-12', { from: '1984-12-01', before: '1985-01-01' }],
    ['2024-02-29', { from: '2024-02-29', before: '2024-03-01' }],
    ['1999-12-31', { from: '1999-12-31', before: '2000-01-01' }],
    ['ge1984-07-21', { from: '1984-07-21' }],
    ['gt1984-07-21', { from: '1984-07-22' }],
    ['gt1984', { from: '1985-01-01' }],
    ['le1984-07', { before: '1984-08-01' }],
    ['lt1984-07-21', { before: '1984-07-21' }],
    ['gt9999-12-31', { from: '10000-01-01' }],
    ['0001-01-01', { from: '0001-01-01', before: '0001-01-02' }],
  ])('reads %s as the days %j', (value, range) => {
    expect(dateParameter.parse(value)).toEqual(range);
  });

  it.each([
    '2023-02-29',
    '1984-13-01',
    '1984-00',
    '1984-07-32',
    '0000',
    '84-07-21',
    '1984-7-21',
    'ne1984',
    'sa1984',
    '1984-07-21T10:00:00Z',
    ' 1984',
  ])('refuses %s', (value) => {
    expect(dateParameter.parse(value)).toHaveProperty('invalid');
  });
});

describe('the gender parameter', () => {
  it('reads codes, lists and the administrative-gender system', () => {
    expect(genderParameter.parse('female')).toEqual(['female']);
    expect(genderParameter.parse('male,unknown')).toEqual(['male', 'unknown']);
    expect(genderParameter.parse('http://hl7.org/fhir/administrative-gender|other')).toEqual([
      'other',
    ]);
    expect(genderParameter.parse('|other')).toEqual(['other']);
  });

  it.each(['Female', 'f', 'male,', 'http://example.com|male', 'toString'])(
    'refuses %s',
    (value) => {
      expect(genderParameter.parse(value)).toHaveProperty('invalid');
    },
  );
});

describe('parseSearch', () => {
  it('reads every parameter, with the paging defaults', () => {
    const search = parseSearch(
      PATIENT_SEARCH,
      `name=+Jane+&birthdate=ge1980&gender=female&general-practitioner=Practitioner/${ID}`,
    );
    expect(search).toMatchObject({
      values: {
        name: 'Jane',
        birthdate: { from: '1980-01-01' },
        gender: ['female'],
        'general-practitioner': ID,
      },
      count: 20,
      offset: 0,
    });
    expect(parseSearch(PATIENT_SEARCH, '_count=100&_offset=40')).toMatchObject({
      count: 100,
      offset: 40,
    });
  });

  it('refuses unknown, repeated, empty and out-of-range parameters, each named', () => {
    expect(errorsOf('family=doe&_sort=name')).toEqual(['family', '_sort']);
    expect(errorsOf('name:contains=x')).toEqual(['name:contains']);
    expect(errorsOf('gender=male&gender=female')).toEqual(['gender']);
    expect(errorsOf('name=&birthdate=')).toEqual(['name', 'birthdate']);
    expect(errorsOf('_count=0&_offset=-1')).toEqual(['_count', '_offset']);
    expect(errorsOf('_count=101')).toEqual(['_count']);
    expect(errorsOf(`_offset=${2 ** 53}`)).toEqual(['_offset']);
    expect(errorsOf('general-practitioner=Patient/' + ID)).toEqual(['general-practitioner']);
    expect(errorsOf('__proto__=x&constructor=y')).toEqual(['__proto__', 'constructor']);
  });
});

describe('toSearchBundle', () => {
  const links = (offset: number, total: number, count = 10) =>
    toSearchBundle(
      {
        ...parseSearch(PATIENT_SEARCH, `name=a%20b&_count=${count}&_offset=${offset}`),
        base: 'http://host/fhir/R4',
        type: 'Patient',
      },
      { items: [], total, limit: count, offset },
      (item: never) => item,
    ).link?.map((link) => `${link.relation} ${link.url.split('?')[1]}`);

  it('links the next and previous pages, keeping the search', () => {
    expect(links(0, 25)).toEqual([
      'self name=a+b&_count=10&_offset=0',
      'next name=a+b&_count=10&_offset=10',
    ]);
    expect(links(10, 25)).toEqual([
      'self name=a+b&_count=10&_offset=10',
      'next name=a+b&_count=10&_offset=20',
      'previous name=a+b&_count=10&_offset=0',
    ]);
    expect(links(20, 25)).toEqual([
      'self name=a+b&_count=10&_offset=20',
      'previous name=a+b&_count=10&_offset=10',
    ]);
    expect(links(5, 25)).toContain('previous name=a+b&_count=10&_offset=0');
  });

  it('links past the end back to the last page, and nothing when nothing matches', () => {
    expect(links(100, 25)).toEqual([
      'self name=a+b&_count=10&_offset=100',
      'previous name=a+b&_count=10&_offset=15',
    ]);
    expect(links(0, 0)).toEqual(['self name=a+b&_count=10&_offset=0']);
  });
});

describe('acceptsFhirJson', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['application/fhir+json', true],
    ['application/fhir+json; fhirVersion=4.0', true],
    ['Application/JSON', true],
    ['*/*', true],
    ['application/*', true],
    ['text/html, */*;q=0.1', true],
    ['text/html', false],
    ['application/xml', false],
    ['application/fhir+xml', false],
    ['application/json;q=0', false],
    ['text/*', false],
  ])('%s: %s', (accept, served) => {
    expect(acceptsFhirJson(accept)).toBe(served);
  });
});

describe('toOperationOutcome', () => {
  it('gives each status its issue type, and one issue per field error', () => {
    const code = (status: number) => toOperationOutcome({ status, detail: 'x' }).issue[0].code;
    expect([400, 401, 403, 404, 406, 409, 429, 500, 503].map(code)).toEqual([
      'invalid',
      'login',
      'forbidden',
      'not-found',
      'not-supported',
      'conflict',
      'throttled',
      'exception',
      'transient',
    ]);
    expect([418, 502].map(code)).toEqual(['processing', 'exception']);
    const outcome = toOperationOutcome({
      status: 400,
      detail: 'The search is invalid.',
      errors: [
        { field: 'name', message: 'name must not be empty' },
        { field: '_count', message: '_count must be a whole number from 1 to 100' },
      ],
    });
    expect(outcome.issue.map((issue) => issue.diagnostics)).toEqual([
      'name: name must not be empty',
      '_count: _count must be a whole number from 1 to 100',
    ]);
  });
});

describe('fhirString', () => {
  it('keeps text, tabs and line breaks, and replaces what a FHIR string does not admit', () => {
    expect(fhirString("Zoë 🩺\tO'Brien\r\n")).toBe("Zoë 🩺\tO'Brien\r\n");
    expect(fhirString('a\u00a0b\u2028c\u3000d')).toBe('a b c d');
    expect(fhirString('a\u0001b\u007fc\u0085')).toBe('a\uFFFDb\uFFFDc\uFFFD');
  });
});
