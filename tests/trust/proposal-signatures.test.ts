import { sql } from 'kysely';
import { hashSecret, Keyring } from '../../src/platform/secrets';
import { Client, proposalLinkOf, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

/**
 * What docs/security.md claims of proposal signatures: signing writes one row in the whole
 * database, holding the proposal, the branch and a keyed hash, and nothing that names the
 * member (no id, no address, no link, no time); the same member's hashes on two proposals do
 * not match, so rows cannot be joined across proposals; and — the limit — whoever holds the
 * server's secret can test whether a given member signed.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const SECRET = 'test-secret-0123456789-0123456789-abcdef';

/** Rows in every table of the database, by table. */
async function rowCounts(): Promise<Map<string, number>> {
  const tables = await sql<{ name: string }>`
    select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables
    where table_schema in ('public', 'box') and table_type = 'BASE TABLE'`.execute(app.db);
  const counts = new Map<string, number>();
  for (const { name } of tables.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(name)}`.execute(app.db);
    counts.set(name, r.rows[0]!.n);
  }
  return counts;
}

test('a signature is one row naming no member, unlinkable across proposals without the server key', async () => {
  const org = await setUpOrganisation(app, 'Signing Union');
  const roll = ['email,name,branch', ...Array.from({ length: 6 }, (_, i) => `s${i}@example.org,Signer ${i},North`)];
  expect((await org.json('POST', '/api/v1/roll/import', roll.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  // Rules that keep the proposals gathering, so that signing writes nothing else (no qualification).
  await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: 100,
    minBranches: null,
    windowDays: 7,
    scheduleDays: 7,
  });
  const members = await app.db
    .selectFrom('members')
    .select(['id', 'organisation_id', 'email', 'name'])
    .where('email', 'like', 's%@example.org')
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(members.map((m) => proposalLinkOf(app.db, m)));
  const client = new Client(app.url);
  const propose = async (i: number, title: string) => {
    const { id } = (
      await client.json('POST', '/api/v1/member/proposals', {
        token: tokens[i],
        proposal: { kind: 'motion', title, text: 'Text.' },
      })
    ).body as { id: string };
    expect((await client.json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[i] })).status).toBe(200);
    return id;
  };
  const first = await propose(0, 'First');
  const second = await propose(1, 'Second');

  // The table has these columns and no more: no member, no time.
  const columns = await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_name = 'proposal_signatures' order by column_name`.execute(
    app.db,
  );
  expect(columns.rows.map((c) => c.column_name)).toEqual(['branch_id', 'proposal_id', 'signer']);

  // Member 2 signs the first proposal: one row more in the whole database, and nothing else changes.
  const before = await rowCounts();
  expect((await client.json('POST', `/api/v1/member/proposals/${first}/signatures`, { token: tokens[2] })).status).toBe(
    201,
  );
  const after = await rowCounts();
  const grown = [...after].filter(([t, n]) => n !== before.get(t)).map(([t, n]) => [t, n - (before.get(t) ?? 0)]);
  expect(grown).toEqual([['public.proposal_signatures', 1]]);

  // The row holds nothing of member 2: not their id, address, name, nor their link's hash.
  const rows = await sql<{ proposal_id: string; signer: Buffer; branch_id: string }>`
    select * from proposal_signatures where proposal_id = ${first}`.execute(app.db);
  const m2 = members[2]!;
  const mine = rows.rows.filter(
    (r) =>
      !r.signer.equals(
        Buffer.from(new Keyring(SECRET).mac('proposal-signer', `${first}:${members[0]!.id}`), 'base64url'),
      ),
  );
  expect(mine).toHaveLength(1);
  const text = JSON.stringify(mine[0]) + mine[0]!.signer.toString('hex') + mine[0]!.signer.toString('utf8');
  for (const secret of [m2.id, m2.id.replace(/-/g, ''), m2.email, m2.name, hashSecret(tokens[2]!).toString('hex')])
    expect(text).not.toContain(secret);

  // The same member's signatures on two proposals share no value.
  expect(
    (await client.json('POST', `/api/v1/member/proposals/${second}/signatures`, { token: tokens[2] })).status,
  ).toBe(201);
  const signersOf = async (id: string) =>
    (
      await sql<{
        s: string;
      }>`select encode(signer, 'hex') as s from proposal_signatures where proposal_id = ${id}`.execute(app.db)
    ).rows.map((r) => r.s);
  const one = await signersOf(first);
  const two = await signersOf(second);
  expect(one.filter((s) => two.includes(s))).toEqual([]);

  // The limit, as docs/security.md says: with the server's secret one can test a member.
  const keyed = (key: Keyring, id: string) =>
    Buffer.from(key.mac('proposal-signer', `${id}:${m2.id}`), 'base64url').toString('hex');
  expect(one).toContain(keyed(new Keyring(SECRET), first));
  expect(one).not.toContain(keyed(new Keyring('some other secret, not the server’s'), first));
});
