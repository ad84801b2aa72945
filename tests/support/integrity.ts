import fs from 'node:fs';
import net from 'node:net';
import { sql } from 'kysely';
import { insertSetupLink } from '../../src/data/organisations';
import type { Db } from '../../src/db/database';
import { hashSecret, Keyring, newSecret } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { Client } from './app';
import { scaled } from './machine';

/** Shared pieces of the integrity tests (tests/integrity): setup over HTTP, tokens, counts. */

export const USED_DETAIL = 'this link has already been used to vote';

/** An organisation through a setup link written straight into `db`: works for a server in another process. */
export async function setUpOrganisationAt(url: string, db: Db): Promise<Client> {
  const token = newSecret();
  await insertSetupLink(db, hashSecret(token));
  const client = new Client(url);
  const r = await client.json('POST', '/api/v1/setup', {
    setupToken: token,
    organisationName: 'Integrity Union',
    name: 'Olive Organiser',
    email: `org-${Math.random().toString(36).slice(2)}@example.org`,
    password: 'correct horse battery staple',
  });
  if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${JSON.stringify(r.body)}`);
  return client;
}

/** An organisation set up as by setUpOrganisationAt, its roll imported: `sizes[branch]` members in each branch. */
export async function organisationWithRollAt(url: string, db: Db, sizes: Record<string, number>): Promise<Client> {
  const org = await setUpOrganisationAt(url, db);
  const imported = await org.json('POST', '/api/v1/roll/import', rollCsv(sizes), { 'content-type': 'text/csv' });
  if (imported.status !== 200)
    throw new Error(`roll import failed: ${imported.status} ${JSON.stringify(imported.body)}`);
  return org;
}

/** A roll CSV with `sizes[branch]` members in each branch. */
export function rollCsv(sizes: Record<string, number>): string {
  const rows = Object.entries(sizes).flatMap(([b, n]) =>
    Array.from({ length: n }, (_, i) => `${b.toLowerCase()}${i}@example.org,${b} member ${i},${b}`),
  );
  return ['email,name,branch', ...rows].join('\n');
}

/** Every voting token of a ballot with its branch, opened as the mail worker would (before close wipes them). */
export async function tokensOf(
  db: Db,
  ballotId: string,
  secret: string,
): Promise<Array<{ token: string; branch: string }>> {
  const keys = new Keyring(secret);
  const rows = await db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('voting_tokens.ballot_id', '=', ballotId)
    .orderBy('voting_tokens.token_hash')
    .execute();
  return rows.map((r) => ({ token: keys.open(LINK_PURPOSE, r.sealed_token!), branch: r.name }));
}

export async function countUsedTokens(db: Db, ballotId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from voting_tokens where ballot_id = ${ballotId} and used`.execute(db);
  return r.rows[0]!.n;
}

export async function countSealedVotes(db: Db, ballotId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from box.sealed_votes where ballot_id = ${ballotId}`.execute(db);
  return r.rows[0]!.n;
}

export type CountsCheck = { votes: number; byBranch: Record<string, { usedTokens: number; votes: number }> };

/** The reconciliation the close recorded (ballots.counts_check). */
export async function countsCheckOf(db: Db, ballotId: string): Promise<CountsCheck | null> {
  const r = await db.selectFrom('ballots').select('counts_check').where('id', '=', ballotId).executeTakeFirstOrThrow();
  return r.counts_check as CountsCheck | null;
}

export type Board = { receipts: Array<{ receipt: string; answers?: Record<string, unknown> }> };

/** One POST /api/v1/vote, parsed; network failures throw (as fetch does), and so does no answer in `timeoutMs` (a quiet machine's, scaled). */
export async function postVote(
  url: string,
  token: string,
  answers: Record<string, unknown>,
  timeoutMs = 20_000,
): Promise<{ status: number; type: string; body: { receipt?: string; detail?: string; status?: number } }> {
  const res = await fetch(`${url}/api/v1/vote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, answers }),
    signal: AbortSignal.timeout(scaled(timeoutMs)),
  });
  const text = await res.text();
  let body: { receipt?: string; detail?: string; status?: number };
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { detail: text.slice(0, 200) };
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A free loopback port BELOW the kernel's ephemeral range, for a server that is restarted
 * on the same port. While it is down, a port in the ephemeral range can be handed to an
 * outgoing connection (a client retrying may even connect to itself on it), and the
 * restart then fails with EADDRINUSE. Ports below the range are never handed out so.
 */
export async function restartablePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    /* not Linux */
  }
  const from = Math.max(1024, Math.min(20000, low - 4000));
  for (let tries = 0; tries < 100; tries++) {
    const port = from + Math.floor(Math.random() * (low - from));
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}
