import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { parseBranchTallies } from '@omov/core/crypto/branch-tally';
import { parseTrusteeShuffle, trusteeShuffle, writeTrusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import { afterShuffles, parseShuffle, writeShuffle } from '@omov/core/crypto/shuffle';
import { parseEncryptedTally } from '@omov/core/crypto/tally';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { findBallotById } from '../../src/data/ballots';
import { checkShuffleOf, storeShuffle } from '../../src/services/verifiable';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * A trustee's shuffle is checked outside the ballot's row lock (docs/verifiable.md, "Ranked
 * questions on the server"), then stored under it only if no other shuffle came in meanwhile.
 * Trustees who send their shuffles at once, all made from the same ciphertexts: exactly one is
 * accepted at each place in the chain, each other is refused naming its trustee, and the chain
 * the trustees end with is whole (each shuffle verifies against the one before). The proofs
 * are checked in the server's checker threads, not on its event loop: /healthz answers while
 * they are, and a bad shuffle is refused through them as on the loop.
 */
let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = [
    'email,name,branch',
    ...['Ann', 'Bo', 'Cy', 'Di'].map((n) => `${n.toLowerCase()}@race.example.org,${n},North`),
  ];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
afterAll(async () => {
  await app?.close();
});

const anyone = () => new Client(app.url);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Made = ReturnType<typeof parseTrusteeShuffle>;

/**
 * A verifiable ballot with one ranked question, opened with `trustees` trustees (all needed),
 * voted by the four members with `ranks` (each member's ranks of Eve, Fin and Gil, 1 first, 0
 * unranked), and closed; with the trustees' calls.
 */
async function closedRankedBallot(title: string, trustees: number, ranks: number[][]) {
  const created = await org.json('POST', '/api/v1/ballots', {
    title,
    questions: [
      {
        title: 'Chair',
        method: 'stv',
        settings: { seats: 1 },
        options: [{ label: 'Eve' }, { label: 'Fin' }, { label: 'Gil' }],
      },
    ],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees, threshold: trustees, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (m: string, p: string, b?: unknown) => org.json(m, p, b);
  const { tokens } = await makeTrusteeKeys(app.url, organiser, id, trustees, trustees);
  const credentials = await makeMemberCredentials(app.url, organiser, id);
  const opened = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
  expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);
  const election = parseElection(await (await anyone().request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  for (const [i, credential] of [...credentials.values()].entries()) {
    const cast = encryptBallot(election, credential, [ranks[i]!], systemRandom);
    const r = await anyone().json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, cast.text, {
      'content-type': 'application/json',
    });
    expect(r.status === 201 ? 201 : JSON.stringify(r.body)).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);

  const task = async (n: number) =>
    (await anyone().json('GET', '/api/v1/trustee', undefined, bearer(tokens[n - 1]!))).body;
  return {
    id,
    election,
    task,
    /** A shuffle of the ciphertexts as trustee n's task leaves them now, keeping the pools of branches apart. */
    shuffleNow: async (n: number): Promise<Made> => {
      const t = await task(n);
      const shuffles = (t.shuffles ?? []).map((x: unknown) => parseShuffle(JSON.stringify(x)));
      const current = afterShuffles(election, parseEncryptedTally(t.encryptedTally), shuffles);
      const section = parseBranchTallies(election, t.branchTallies);
      return parseTrusteeShuffle(trusteeShuffle(election, current, section, shuffles.length, systemRandom).text);
    },
    put: (n: number, s: Made) =>
      anyone().json(
        'PUT',
        '/api/v1/trustee/shuffle',
        JSON.parse(writeTrusteeShuffle(s.shuffle, s.pools)),
        bearer(tokens[n - 1]!),
      ),
  };
}

test(
  'trustees shuffling at once: one shuffle is accepted at each place, the others are refused, the chain is whole',
  async () => {
    const { id, election, task, shuffleNow, put } = await closedRankedBallot('Raced shuffles', 3, [
      [1, 2, 3],
      [2, 1, 0],
      [2, 0, 1],
      [1, 0, 0],
    ]);
    /** Each trustee's accepted shuffle, by place in the chain. */
    const accepted: Array<{ trustee: number; text: string }> = [];

    // Place 1: the three trustees shuffle the tally's ciphertexts and send them at once.
    const first = await Promise.all([1, 2, 3].map(async (n) => ({ n, s: await shuffleNow(n) })));
    const answers = await Promise.all(first.map(({ n, s }) => put(n, s)));
    const winners = answers.flatMap((a, i) => (a.status === 200 ? [first[i]!] : []));
    expect(winners).toHaveLength(1);
    accepted.push({ trustee: winners[0]!.n, text: writeShuffle(winners[0]!.s.shuffle) });
    for (const [i, a] of answers.entries()) {
      if (a.status === 200) continue;
      // Refused either while it was checked (409) or, sent after the winner was stored, by its proof (422).
      expect([409, 422]).toContain(a.status);
      expect(a.body.detail).toContain(`the shuffle of trustee ${first[i]!.n} `);
    }

    // Place 2, the interleaving made certain through the services: both losers' shuffles are
    // checked before either is stored; the first stored wins, the second is refused as stale.
    const [x, y] = [1, 2, 3].filter((n) => n !== winners[0]!.n) as [number, number];
    const ballot = (await findBallotById(app.db, id))!;
    const [sx, sy] = [await shuffleNow(x), await shuffleNow(y)];
    const [cx, cy] = [
      await checkShuffleOf(app.ctx, ballot, x, sx.shuffle, sx.pools),
      await checkShuffleOf(app.ctx, ballot, y, sy.shuffle, sy.pools),
    ];
    await app.db.transaction().execute((tx) => storeShuffle(tx, ballot, x, cx));
    await expect(app.db.transaction().execute((tx) => storeShuffle(tx, ballot, y, cy))).rejects.toThrow(
      `the shuffle of trustee ${y} was made from the ciphertexts of 1 shuffles, and trustee ${x}'s shuffle came in while it was checked: shuffle again from the last shuffle (2 shuffles so far)`,
    );
    // Over HTTP, the stale shuffle is refused too, and its trustee named.
    const stale = await put(y, sy);
    expect(stale.status).toBe(422);
    expect(stale.body.detail).toContain(`the shuffle of trustee ${y} does not verify`);
    accepted.push({ trustee: x, text: writeShuffle(sx.shuffle) });

    // Place 3: the last trustee shuffles again from the last shuffle, and the shuffles end.
    const sz = await shuffleNow(y);
    const last = await put(y, sz);
    expect(last.status === 200 ? 200 : JSON.stringify(last.body)).toBe(200);
    expect(last.body.next).toBe('decrypt');
    accepted.push({ trustee: y, text: writeShuffle(sz.shuffle) });

    // The chain: one shuffle per trustee, in the order accepted, each verifying against the one before.
    const events = await app.db
      .selectFrom('verifiable_events')
      .select(['type', 'trustee', 'data', 'height'])
      .where('ballot_id', '=', id)
      .where('type', 'in', ['Shuffle', 'EndShuffles'])
      .orderBy('height')
      .execute();
    expect(events.map((e) => [e.type, e.trustee])).toEqual([
      ...accepted.map((a) => ['Shuffle', a.trustee]),
      ['EndShuffles', null],
    ]);
    expect(events.slice(0, 3).map((e) => e.data[0])).toEqual(accepted.map((a) => a.text));
    const final = await task(1);
    expect(final.shuffles).toHaveLength(3);
    expect(() =>
      afterShuffles(
        election,
        parseEncryptedTally(final.encryptedTally),
        final.shuffles.map((x: unknown) => parseShuffle(JSON.stringify(x))),
      ),
    ).not.toThrow();
  },
  scaled(300_000),
);

/** The jobs the server's checker threads hold now, reached as the pool holds them. */
const jobsInThreads = () =>
  (app.ctx.ballotCheckers as unknown as { threads: Array<{ inFlight: Map<number, unknown> } | undefined> }).threads
    .map((t) => t?.inFlight.size ?? 0)
    .reduce((a, b) => a + b, 0);

test(
  '/healthz answers while a shuffle is checked in the threads; a bad one is refused through them, naming the trustee',
  async () => {
    // The checks run in the server's checker threads (BALLOT_CHECKERS), not on its event loop.
    expect(app.ctx.ballotCheckers.size).toBeGreaterThan(0);
    const { id, shuffleNow, put } = await closedRankedBallot('Shuffles in threads', 2, [
      [1, 2, 3],
      [2, 1, 3],
      [3, 1, 2],
      [1, 3, 2],
    ]);
    // The pool of North's ballots is kept apart: the shuffle carries a pool proof beside the whole-list one.
    const made = await shuffleNow(1);
    expect(made.pools).toHaveLength(1);

    // A bad shuffle (its ciphertexts reversed under the same proofs) is refused through the threads.
    const reversed = made.shuffle.ciphertexts.map((es) => [...es].reverse());
    const refused = await put(1, { ...made, shuffle: { ...made.shuffle, ciphertexts: reversed } });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toBe(
      'the shuffle of trustee 1 does not verify: its proof of shuffle fails against the ciphertexts before it (0 shuffles so far)',
    );

    // The good one: /healthz asked again and again, one at a time, until the shuffle has answered.
    let shuffling = true;
    let whileInThreads = 0;
    const sent = put(1, made).finally(() => (shuffling = false));
    while (shuffling) {
      const r = await fetch(`${app.url}/healthz`);
      await r.arrayBuffer();
      expect(r.status).toBe(200);
      // Read as the answer arrives: on a loop held by the check no answer could arrive while it checks.
      if (jobsInThreads() > 0) whileInThreads++;
    }
    const accepted = await sent;
    expect(accepted.status === 200 ? 200 : JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.next).toBe('waiting');
    expect(whileInThreads).toBeGreaterThan(0);
    expect(jobsInThreads()).toBe(0);
    const stored = await app.db
      .selectFrom('verifiable_events')
      .select(['trustee', 'data'])
      .where('ballot_id', '=', id)
      .where('type', '=', 'Shuffle')
      .execute();
    expect(stored.map((e) => [e.trustee, e.data[0]])).toEqual([[1, writeShuffle(made.shuffle)]]);
  },
  scaled(300_000),
);
