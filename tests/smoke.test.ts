import { Client } from 'pg';

test('the test PostgreSQL server answers', async () => {
  const client = new Client({ connectionString: process.env.OMOV_TEST_ADMIN_URL });
  await client.connect();
  const r = await client.query<{ v: string }>('select current_setting($1) as v', ['track_commit_timestamp']);
  await client.end();
  expect(r.rows[0]?.v).toBe('off');
});
