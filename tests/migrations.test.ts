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

test('0044 marks the proposals already lapsed or overdue at their moment, without a log entry', async () => {
  const fresh = await freshDatabase(only(ALL.filter((n) => n < '0044')));
  try {
    const org = await sql<{ id: string }>`insert into organisations (name) values ('Old Union') returning id`.execute(
      fresh.db,
    );
    const organisationId = org.rows[0]!.id;
    const branch = await sql<{ id: string }>`
      insert into branches (organisation_id, name) values (${organisationId}, 'North') returning id`.execute(fresh.db);
    const member = await sql<{ id: string }>`
      insert into members (organisation_id, branch_id, email, name)
      values (${organisationId}, ${branch.rows[0]!.id}, 'old@example.org', 'Old Member') returning id`.execute(
      fresh.db,
    );
    const rules = await sql<{ id: string }>`
      insert into proposal_rules (organisation_id, share_percent, combine, window_days, schedule_days, k, set_by)
      values (${organisationId}, 50, 'either', 7, 7, 1, 'test') returning id`.execute(fresh.db);
    const proposal = async (title: string) =>
      (
        await sql<{ id: string }>`
          insert into proposals (organisation_id, rules_id, kind, title, text, proposer_member_id)
          values (${organisationId}, ${rules.rows[0]!.id}, 'motion', ${title}, 'Text.', ${member.rows[0]!.id})
          returning id`.execute(fresh.db)
      ).rows[0]!.id;
    const [lapsed, overdue, open] = [await proposal('Lapsed'), await proposal('Overdue'), await proposal('Open')];
    await sql`update proposals set status = 'gathering', started_at = now() - interval '9 days',
      closes_at = now() - interval '2 days', supporters_needed = 1 where id = ${lapsed}`.execute(fresh.db);
    await sql`update proposals set status = 'gathering', started_at = now() - interval '9 days',
      closes_at = now() - interval '2 days', supporters_needed = 1 where id = ${overdue}`.execute(fresh.db);
    await sql`update proposals set status = 'qualified', qualified_at = now() - interval '8 days',
      schedule_by = now() - interval '1 day' where id = ${overdue}`.execute(fresh.db);
    await sql`update proposals set status = 'gathering', started_at = now(),
      closes_at = now() + interval '7 days', supporters_needed = 1 where id = ${open}`.execute(fresh.db);
    await migrateToLatest(fresh.db);
    const rows = await sql<{
      id: string;
      lapsed: boolean;
      overdue: boolean;
      lapsed_null: boolean;
      overdue_null: boolean;
    }>`
      select id, lapsed_at = closes_at as lapsed, overdue_at = schedule_by as overdue,
        lapsed_at is null as lapsed_null, overdue_at is null as overdue_null
      from proposals`.execute(fresh.db);
    const by = new Map(rows.rows.map((r) => [r.id, r]));
    expect(by.get(lapsed)).toMatchObject({ lapsed: true, overdue_null: true });
    expect(by.get(overdue)).toMatchObject({ lapsed_null: true, overdue: true });
    expect(by.get(open)).toMatchObject({ lapsed_null: true, overdue_null: true });
    const log = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where action in ('proposal.lapse', 'proposal.overdue')`.execute(
      fresh.db,
    );
    expect(log.rows[0]!.n).toBe(0);
  } finally {
    await fresh.drop();
  }
});
