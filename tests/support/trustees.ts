import { groupNamed } from '@omov/core/crypto/group';
import { checkTrustees, electionPublicKey, parseTrustees, type Trustee } from '@omov/core/crypto/trustee';
import type { Db } from '../../src/db/database';
import { ballotTimes, type Client } from './app';

/** The group of every verifiable ballot in these tests. */
export const G = groupNamed('BELENIOS-2048');

/**
 * A draft ballot in verifiable mode (three trustees, any two decrypt) with its trustees Ann,
 * Bob and Cy invited: its id and their tokens, in their order.
 */
export async function ballotWithTrusteesInvited(org: Client, title: string): Promise<{ id: string; tokens: string[] }> {
  const created = await org.json('POST', '/api/v1/ballots', {
    title,
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const invited = await org.json('POST', `/api/v1/ballots/${id}/trustees`, { names: ['Ann', 'Bob', 'Cy'] });
  expect(invited.status).toBe(201);
  return { id, tokens: invited.body.trustees.map((t: { token: string }) => t.token) };
}

/**
 * The trustees entry the server assembled for a ballot, after checking it in the core: every
 * proof in it holds, and the stored public key is the one it gives.
 */
export async function checkedTrustees(db: Db, ballotId: string): Promise<Trustee[]> {
  const stored = await db
    .selectFrom('ballot_election_keys')
    .selectAll()
    .where('ballot_id', '=', ballotId)
    .executeTakeFirstOrThrow();
  const trustees = parseTrustees(stored.trustees);
  expect(checkTrustees(G, trustees)).toBe(true);
  expect(String(electionPublicKey(G, trustees))).toBe(stored.public_key);
  return trustees;
}
