import { sql } from 'kysely';
import { migrations } from '../db/migrations/index';
import { type Db, migrateToLatest } from '../src/db/database';
import { freshDatabase } from './support/db';

/**
 * A database that an older checkout migrated still migrates forward. Migrations land when
 * their branch merges, not in the order of their numbers (0021 and 0022 came after 0019, and
 * 0009, 0012, 0013, 0016 and 0020 are not there), so a database may already hold a migration
 * numbered after one it has not run yet: that one runs too, and the schema ends the same as
 * one migrated from empty.
 */

const ALL = Object.keys(migrations);

/** The migrations whose names are in `names`, as an older checkout would have had them. */
const only = (names: string[]) => Object.fromEntries(names.map((n) => [n, migrations[n]!]));

/** Tables, columns, their types and nullability, and the indexes: the schema, as text. */
async function schemaOf(db: Db): Promise<string[]> {
  const columns = await sql<{ line: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable as line
    from information_schema.columns where table_schema = 'public'`.execute(db);
  const indexes = await sql<{ line: string }>`
    select indexdef as line from pg_indexes where schemaname = 'public'`.execute(db);
  return [...columns.rows, ...indexes.rows].map((r) => r.line).sort();
}

let reference: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  reference = await freshDatabase();
});
afterAll(async () => {
  await reference?.drop();
});

test('the index lists the migrations in the order they run (by name), as merges can scramble it', () => {
  expect(ALL).toEqual([...ALL].sort());
});

test.each([
  ['an older checkout (everything up to 0019)', ALL.filter((n) => n < '0021')],
  [
    'a checkout that had a later migration but not an earlier one (0022 without 0021)',
    ALL.filter((n) => n !== '0021_roll_uploads'),
  ],
  ['a checkout with only the first migration', ALL.slice(0, 1)],
])('a database migrated by %s migrates forward to the full schema', async (_, older) => {
  expect(older.length).toBeLessThan(ALL.length);
  const fresh = await freshDatabase(only(older));
  try {
    const ran = await migrateToLatest(fresh.db);
    expect(ran).toEqual(ALL.filter((n) => !older.includes(n)));
    expect(await schemaOf(fresh.db)).toEqual(await schemaOf(reference.db));
    // Nothing is left to run, and running again changes nothing.
    expect(await migrateToLatest(fresh.db)).toEqual([]);
  } finally {
    await fresh.drop();
  }
});
