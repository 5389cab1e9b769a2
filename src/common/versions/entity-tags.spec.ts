import { describe, expect, it } from 'vitest';
import { ValidationProblem } from '../problem-details.js';
import { ifNoneMatchHolds, parseIfMatch, TAG_LIST_PATTERN } from './entity-tags.js';

const documented = new RegExp(TAG_LIST_PATTERN);

const WELL_FORMED: [value: string, ifMatchVersions: number[] | undefined][] = [
  ['*', undefined],
  [' * ', undefined],
  ['"3"', [3]],
  ['"3", "4"', [3, 4]],
  ['"3",\t"4"', [3, 4]],
  ['"3",,  , "4",', [3, 4]],
  [', "3"', [3]],
  ['W/"3"', []],
  ['W/"3", "5"', [5]],
  ['"abc"', []],
  ['"03"', []],
  ['""', []],
  ['"a,b"', []],
  ['"2147483647"', [2_147_483_647]],
  ['"2147483648"', []],
  ['"\x80\xff"', []],
];

const MALFORMED = ['', ' ', ',', ' , ', '3', '"3', '3"', '*, "3"', '"3" *', '"3" "4"', 'W/3'];
const MALFORMED_TOO = ['w/"3"', 'W /"3"', '"a"b"', '"3";', '"3"\x7f', '"\x01"', '**', '"3" ,x'];

describe('If-Match and If-None-Match parsing', () => {
  it.each(WELL_FORMED)('reads %j as the versions %j', (value, versions) => {
    expect(parseIfMatch(value)).toEqual(versions);
    expect(documented.test(value), 'the documented pattern accepts it').toBe(true);
  });

  it.each([...MALFORMED, ...MALFORMED_TOO])('refuses %j as a 400 naming the header', (value) => {
    expect(() => parseIfMatch(value)).toThrow(ValidationProblem);
    expect(() => ifNoneMatchHolds(value, 1)).toThrow(ValidationProblem);
    expect(documented.test(value), 'the documented pattern refuses it').toBe(false);
  });

  it('has no If-Match condition without the header', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(ifNoneMatchHolds(undefined, 1)).toBe(false);
  });

  it('compares If-None-Match weakly: a weak tag of the version matches', () => {
    expect(ifNoneMatchHolds('W/"3"', 3)).toBe(true);
    expect(ifNoneMatchHolds('"2", "3"', 3)).toBe(true);
    expect(ifNoneMatchHolds('*', 3)).toBe(true);
    expect(ifNoneMatchHolds('"03"', 3)).toBe(false);
    expect(ifNoneMatchHolds('"4"', 3)).toBe(false);
  });
});
