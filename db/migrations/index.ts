import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';

/** Every migration, by name, in order. Listed here rather than read from disk so that the
 * same list works from the TypeScript sources (tests) and the compiled build. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
