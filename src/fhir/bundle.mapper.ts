import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Page } from '../common/pagination/page.js';
import type { SearchQuery, SearchSpec } from './search-query.js';

/** Where a search ran: the server's FHIR base URL and the resource type searched. */
export interface SearchTarget {
  base: string;
  type: Resource['resourceType'];
}

/**
 * A page of results as a searchset Bundle. Its links repeat the search's own parameters with
 * another `_offset`, so that a client walks the pages by following them.
 */
export function toSearchBundle<Item, R extends Resource & { id?: string }>(
  search: SearchQuery<SearchSpec> & SearchTarget,
  page: Page<Item>,
  toResource: (item: Item) => R,
): Bundle<R> {
  const url = (offset: number) => {
    const params = new URLSearchParams(search.params);
    params.set('_count', String(search.count));
    params.set('_offset', String(offset));
    return `${search.base}/${search.type}?${params.toString()}`;
  };
  const link: BundleLink[] = [{ relation: 'self', url: url(search.offset) }];
  if (search.offset + search.count < page.total) {
    link.push({ relation: 'next', url: url(search.offset + search.count) });
  }
  if (search.offset > 0) {
    // Past the end, the previous page is the last one, not a run of empty pages.
    const previous = Math.min(search.offset - search.count, page.total - search.count);
    link.push({ relation: 'previous', url: url(Math.max(0, previous)) });
  }
  const entry = page.items.map((item) => {
    const resource = toResource(item);
    return {
      fullUrl: `${search.base}/${search.type}/${resource.id}`,
      resource,
      search: { mode: 'match' as const },
    };
  });
  // FHIR JSON has no empty arrays: a page without matches has no `entry` at all.
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page.total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
