/**
 * The length limits of the stored text, in characters: one source for the entities' columns,
 * the request DTOs and the response schemas. The migrations keep their literal numbers, as
 * history should; the schema test (`migration:generate` finds nothing) fails if a limit here
 * changes without a migration.
 */
export const LENGTH = {
  name: 100,
  specialization: 100,
  email: 254,
  phone: 30,
  address: 500,
  notes: 1_000,
  medicalHistory: 10_000,
  /** A session's `User-Agent`, cut to this length. */
  userAgent: 500,
  /** A list's text filter (`q`, `specialization`). */
  queryText: 100,
} as const;
