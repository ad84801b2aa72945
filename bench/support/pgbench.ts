import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database';

/**
 * pgbench on the benchmark's own database: PostgreSQL's rate for a vote, with a client
 * written in C, as the ceiling a cast through the server is measured against (issue 17).
 * The embedded PostgreSQL ships no pgbench; the system's (/usr/bin/pgbench, or PGBENCH)
 * is used when there is one, and the caller falls back to a Node-side loop when not.
 */

export type PreparedCast = { ballotId: string; tokenHash: Buffer; branchId: string; weight: string; sealed: string };

export type PgbenchResult = { script: string; transactions: number; tps: number; latencyMs: number };

export function findPgbench(): string | undefined {
  const candidates = [process.env.PGBENCH, '/usr/bin/pgbench', '/usr/lib/postgresql/bin/pgbench'];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

/**
 * The two scripts. `vote transaction`: the vote as a transaction of its own statements
 * (the ballot locked shared with its window read, the token used, the sealed vote
 * inserted), the figure the goal is set against. `one statement`: the server's
 * own cast statement (data/ballot-box.ts castSealedVote) as it is sent. Each pgbench client
 * takes the next of its own rows of bench_casts (client c, transaction n: row c·per + n),
 * so no token is used twice.
 */
const PICK = `\\set n :n + 1
\\set i :client_id * :per + :n
`;
const SCRIPTS: Record<string, string> = {
  'vote transaction': `${PICK}BEGIN;
SELECT status, opens_at, closes_at, now() FROM ballots WHERE id = (SELECT ballot_id FROM bench_casts WHERE i = :i) FOR SHARE;
UPDATE voting_tokens SET used = true FROM bench_casts c
  WHERE c.i = :i AND voting_tokens.token_hash = c.token_hash AND NOT used AND voting_tokens.ballot_id = c.ballot_id
    AND voting_tokens.branch_id = c.branch_id AND voting_tokens.weight = c.weight;
INSERT INTO box.sealed_votes (ballot_id, sealed) SELECT ballot_id, sealed FROM bench_casts WHERE i = :i;
COMMIT;
`,
  'one statement': `${PICK}WITH c AS (SELECT * FROM bench_casts WHERE i = :i),
b AS (SELECT status, opens_at, closes_at, now() AS now FROM ballots WHERE id = (SELECT ballot_id FROM c) FOR SHARE),
t AS (
  UPDATE voting_tokens SET used = true FROM c
  WHERE voting_tokens.token_hash = c.token_hash AND NOT used AND voting_tokens.ballot_id = c.ballot_id
    AND voting_tokens.branch_id = c.branch_id AND voting_tokens.weight = c.weight
    AND EXISTS (SELECT 1 FROM b WHERE b.status = 'open' AND b.now >= b.opens_at AND b.now < b.closes_at)
  RETURNING voting_tokens.ballot_id
), v AS (INSERT INTO box.sealed_votes (ballot_id, sealed) SELECT ballot_id, (SELECT sealed FROM c) FROM t RETURNING 1)
SELECT (SELECT count(*) FROM v), b.status, b.opens_at, b.closes_at, now() FROM (SELECT 1) one LEFT JOIN b ON true;
`,
};
export const PGBENCH_SCRIPTS = Object.keys(SCRIPTS);

/**
 * Runs one script with `clients` connections over `casts` (their tokens unused), each
 * client `floor(casts / clients)` transactions, and reads pgbench's own figures.
 */
export async function runPgbench(
  pgbench: string,
  db: Db,
  databaseUrl: string,
  script: string,
  casts: PreparedCast[],
  clients: number,
): Promise<PgbenchResult> {
  const per = Math.floor(casts.length / clients);
  if (per < 1) throw new Error(`pgbench needs at least ${clients} prepared casts`);
  await sql`drop table if exists bench_casts`.execute(db);
  await sql`create table bench_casts (i int primary key, ballot_id uuid, token_hash bytea, branch_id uuid, weight numeric, sealed text)`.execute(
    db,
  );
  for (let s = 0; s < casts.length; s += 2000) {
    const part = casts.slice(s, s + 2000);
    await sql`insert into bench_casts select * from unnest(
      ${part.map((_, k) => s + k + 1)}::int[], ${part.map((c) => c.ballotId)}::uuid[], ${part.map((c) => c.tokenHash)}::bytea[],
      ${part.map((c) => c.branchId)}::uuid[], ${part.map((c) => c.weight)}::numeric[], ${part.map((c) => c.sealed)}::text[])`.execute(
      db,
    );
  }
  await sql`analyze bench_casts`.execute(db);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omov-pgbench-')), 'vote.sql');
  fs.writeFileSync(file, SCRIPTS[script]!);
  const url = new URL(databaseUrl);
  try {
    const { stdout } = await promisify(execFile)(
      pgbench,
      [
        '-n',
        '-M',
        'prepared',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, os.cpus().length)),
        '-t',
        String(per),
        // Client c starts at row c·per + 1.
        '-D',
        'n=0',
        '-D',
        `per=${per}`,
        '-f',
        file,
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username),
        url.pathname.slice(1) || 'postgres',
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, maxBuffer: 16 * 2 ** 20 },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    if (!(tps > 0) || failed) throw new Error(`pgbench: ${stdout}`);
    return { script, transactions, tps, latencyMs };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    await sql`drop table if exists bench_casts`.execute(db);
  }
}
