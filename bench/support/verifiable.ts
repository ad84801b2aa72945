/**
 * The people of a verifiable ballot other than its members, played in this process with the
 * core's code over the server's API (docs/verifiable.md): the trustees make the election's
 * key in Belenios's three steps and, after the close, decrypt; the credential authority makes
 * the credentials. For the browser tests and bench/verifiable.ts, which are about the members.
 * The organiser's calls (naming trustees and the authority, which need their session) go
 * through `organiser`; the trustees' and the authority's through their own tokens.
 */
import { makeCredentials } from '@omov/core/crypto/credential';
import { parseElection } from '@omov/core/crypto/election';
import {
  type Certificate,
  combineShares,
  makeCertificate,
  makePolynomial,
  parseCertificate,
  parsePolynomial,
  writePolynomial,
} from '@omov/core/crypto/dkg';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { decryptPools, parseBranchTallies, writeTrusteeDecryption } from '@omov/core/crypto/branch-tally';
import { trusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import { afterShuffles, mergeNonHomomorphic, parseShuffle } from '@omov/core/crypto/shuffle';
import { parseEncryptedTally, partialDecrypt } from '@omov/core/crypto/tally';
import { writeSigned, writeTrusteePublicKey } from '@omov/core/crypto/trustee';

export type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers of many shapes

/** A call with a trustee's or the authority's token, not the organiser's session. */
function bearer(base: string, token: string): Call {
  return async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function expectOk(what: string, r: Promise<{ status: number; body: unknown }>) {
  const done = await r;
  if (done.status >= 300) throw new Error(`${what}: ${done.status} ${JSON.stringify(done.body)}`);
  return done.body;
}

export type Trustees = { tokens: string[]; keys: bigint[] };

/** Names `count` trustees and runs their key generation; each trustee's key share stays here. */
export async function makeTrusteeKeys(
  base: string,
  organiser: Call,
  ballotId: string,
  count: number,
  threshold: number,
  opts: {
    /** As the organiser names them (a name, or a name and an email); by default "Trustee N". */
    names?: Array<string | { name: string; email: string }>;
    /** Each trustee's token from the organiser's answer (null for a mailed trustee): by default, as answered. */
    tokensOf?: (answered: Array<{ token: string | null }>) => Promise<string[]>;
  } = {},
): Promise<Trustees> {
  const names = opts.names ?? Array.from({ length: count }, (_, i) => `Trustee ${i + 1}`);
  const named = (await expectOk(
    'naming the trustees',
    organiser('POST', `/api/v1/ballots/${ballotId}/trustees`, { names }),
  )) as {
    trustees: Array<{ token: string | null }>;
  };
  const tokens = opts.tokensOf ? await opts.tokensOf(named.trustees) : named.trustees.map((t) => t.token!);
  const calls = tokens.map((t) => bearer(base, t));
  // The ballot's questions choose the group (RFC-3526-2048 where one is ranked): the server says which.
  const G = groupNamed(((await calls[0]!('GET', '/trustee')).body as { group: string }).group);
  const made = calls.map(() => makeCertificate(G, systemRandom));
  for (const [i, call] of calls.entries())
    await expectOk('a certificate', call('PUT', '/trustee/certificate', writeSigned(made[i]!.certificate)));
  const certificates: Certificate[] = ((await calls[0]!('GET', '/trustee')).body.certificates as unknown[]).map((c) =>
    parseCertificate(JSON.stringify(c)),
  );
  for (const [i, call] of calls.entries())
    await expectOk(
      'a polynomial',
      call(
        'PUT',
        '/trustee/polynomial',
        writePolynomial(makePolynomial(G, made[i]!.secrets, certificates, threshold, systemRandom)),
      ),
    );
  const polynomials = ((await calls[0]!('GET', '/trustee')).body.polynomials as unknown[]).map((p) =>
    parsePolynomial(JSON.stringify(p)),
  );
  const keys: bigint[] = [];
  for (const [i, call] of calls.entries()) {
    const share = combineShares(G, made[i]!.secrets, certificates, polynomials, threshold, systemRandom);
    keys.push(share.privateKey);
    await expectOk(
      'a verification key',
      call('PUT', '/trustee/verification-key', writeTrusteePublicKey(share.verificationKey)),
    );
  }
  return { tokens, keys };
}

/** The credential authority's part: the credentials made here, the public ones uploaded; the private ones by member id. */
export async function makeMemberCredentials(
  base: string,
  organiser: Call,
  ballotId: string,
): Promise<Map<string, string>> {
  const made = (await expectOk(
    'naming the credential authority',
    organiser('POST', `/api/v1/ballots/${ballotId}/credential-authority`),
  )) as { token: string };
  const authority = bearer(base, made.token);
  const roll = (await expectOk('the roll', authority('GET', '/credential-authority/roll'))) as {
    electionUuid: string;
    group: string;
    members: Array<{ memberId: string; branch: string; weight: string }>;
  };
  const credentials = makeCredentials(
    groupNamed(roll.group),
    roll.electionUuid,
    roll.members.map((m) => ({ ...m, weight: BigInt(m.weight) })),
    systemRandom,
  );
  await expectOk(
    'the public credentials',
    authority('PUT', '/credential-authority/public-credentials', {
      credentials: credentials.publicCredentials.map((c) => ({
        credential: String(c.credential),
        weight: String(c.weight),
        branch: c.branch,
      })),
    }),
  );
  return new Map(credentials.privateCredentials.map((c) => [c.memberId, c.credential]));
}

/**
 * After the close: the first `threshold` trustees decrypt the encrypted tally and send their
 * partial decryptions; where a question is ranked, each of them first shuffles its ballots.
 */
export async function decryptTally(base: string, trustees: Trustees, threshold: number): Promise<void> {
  const chosen = trustees.tokens.slice(0, threshold).map((token) => bearer(base, token));
  type Task = { election: string; encryptedTally: string; shuffles: unknown[] | null; branchTallies: string | null };
  const taskOf = async (call: Call) => (await call('GET', '/trustee')).body as Task;
  const inputs = (task: Task) => {
    const election = parseElection(task.election);
    const tally = parseEncryptedTally(task.encryptedTally);
    const shuffles = (task.shuffles ?? []).map((x) => parseShuffle(JSON.stringify(x)));
    return { election, tally, current: afterShuffles(election, tally, shuffles) };
  };
  for (const call of chosen) {
    const task = await taskOf(call);
    const { election, current } = inputs(task);
    if (current.length === 0) break;
    // Keeping the pools of branches apart, with a proof per pool, as omov trustee shuffle does.
    const pools = task.branchTallies === null ? undefined : parseBranchTallies(election, task.branchTallies);
    const made = trusteeShuffle(election, current, pools, (task.shuffles ?? []).length, systemRandom);
    await expectOk('a shuffle', call('PUT', '/trustee/shuffle', made.text));
  }
  for (const [i, call] of chosen.entries()) {
    const task = await taskOf(call);
    const { election, tally, current } = inputs(task);
    const merged = current.length ? mergeNonHomomorphic(election, tally, current) : tally;
    const key = trustees.keys[i]!;
    const pd = partialDecrypt(election, merged, key, systemRandom);
    const pools =
      task.branchTallies === null
        ? undefined
        : decryptPools(election, parseBranchTallies(election, task.branchTallies), key, systemRandom);
    await expectOk(
      'a partial decryption',
      call('PUT', '/trustee/partial-decryption', writeTrusteeDecryption(pd, pools)),
    );
  }
}
