import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { parseBranchTallies } from '@omov/core/crypto/branch-tally';
import { parseTrusteeShuffle, trusteeShuffle, writeTrusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import { afterShuffles, writeShuffle } from '@omov/core/crypto/shuffle';
import { parseEncryptedTally } from '@omov/core/crypto/tally';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * A trustee's shuffle is checked in the ballot checker threads (docs/verifiable.md, "Ranked
 * questions on the server"), not on the event loop: /healthz keeps answering while the
 * shuffle's proofs are in the threads, and a bad shuffle is refused through them with the
 * same message, naming the trustee.
 */
let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = [
    'email,name,branch',
    ...['Ann', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'].map((n) => `${n.toLowerCase()}@threads.example.org,${n},North`),
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
/** The jobs the server's checker threads hold now, reached as the pool holds them. */
const jobsInThreads = () =>
  (app.ctx.ballotCheckers as unknown as { threads: Array<{ inFlight: Map<number, unknown> } | undefined> }).threads
    .map((t) => t?.inFlight.size ?? 0)
    .reduce((a, b) => a + b, 0);

test(
  '/healthz answers while a shuffle is checked in the threads; a bad one is refused through them, naming the trustee',
  async () => {
    expect(app.ctx.ballotCheckers.size).toBeGreaterThan(0);
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Shuffles in threads',
      questions: [
        {
          title: 'Chair',
          method: 'stv',
          settings: { seats: 1 },
          options: [{ label: 'Eve' }, { label: 'Fin' }, { label: 'Gil' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 2, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const organiser = (m: string, p: string, b?: unknown) => org.json(m, p, b);
    const { tokens } = await makeTrusteeKeys(app.url, organiser, id, 2, 2);
    const credentials = await makeMemberCredentials(app.url, organiser, id);
    const opened = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
    expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);
    const election = parseElection(await (await anyone().request('GET', `/api/v1/ballots/${id}/election.json`)).text());
    for (const credential of credentials.values()) {
      const cast = encryptBallot(election, credential, [[1, 2, 3]], systemRandom);
      const r = await anyone().json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, cast.text, {
        'content-type': 'application/json',
      });
      expect(r.status === 201 ? 201 : JSON.stringify(r.body)).toBe(201);
    }
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);

    const t = (await anyone().json('GET', '/api/v1/trustee', undefined, bearer(tokens[0]!))).body;
    const tally = parseEncryptedTally(t.encryptedTally);
    // The pool of North's ballots is kept apart: the shuffle carries a pool proof beside the whole-list one.
    const section = parseBranchTallies(election, t.branchTallies);
    const made = parseTrusteeShuffle(
      trusteeShuffle(election, afterShuffles(election, tally, []), section, 0, systemRandom).text,
    );
    expect(made.pools).toHaveLength(1);
    const put = (n: number, s: typeof made) =>
      anyone().json(
        'PUT',
        '/api/v1/trustee/shuffle',
        JSON.parse(writeTrusteeShuffle(s.shuffle, s.pools)),
        bearer(tokens[n - 1]!),
      );

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
