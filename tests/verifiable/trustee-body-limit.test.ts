import { TRUSTEE_COUNT_LIMIT } from '../../src/http/verifiable-routes';
import { ballotTimes, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

/**
 * A trustee's shuffle and partial decryption carry every ballot's ciphertext of a ranked
 * question, so their routes take bodies far beyond the API's 1 MB (TRUSTEE_COUNT_LIMIT,
 * src/http/verifiable-routes.ts): a body of a few MB passes the size gate and is refused for
 * its content, naming the problem; one over the limit gets 413, naming the limit. Only a
 * trustee's token gets a body read: a stranger's is refused before it is parsed.
 */
let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  const org = await setUpOrganisation(app);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Big shuffle',
    questions: [{ title: 'Chair', method: 'irv', options: [{ label: 'Eve' }, { label: 'Fin' }] }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const named = await org.json('POST', `/api/v1/ballots/${created.body.id}/trustees`, { names: ['Ann'] });
  expect(named.status).toBe(201);
  token = named.body.trustees[0].token;
});
afterAll(() => app.close());

const put = async (step: string, body: string, as = token) => {
  const res = await fetch(`${app.url}/api/v1/trustee/${step}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as { detail: string } };
};
/** A 2048-bit number's worth of digits, as each element of a shuffle or decryption is written. */
const element = '7'.repeat(617);
const COUNT = 2000;

test('a shuffle of a few MB passes the size gate, and its content is checked', async () => {
  const ciphertexts = Array.from({ length: COUNT }, (_, i) => ({
    alpha: element,
    beta: i === COUNT - 1 ? 'not a number' : element,
  }));
  const body = JSON.stringify({ ciphertexts: [ciphertexts], proofs: [] });
  expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
  const r = await put('shuffle', body);
  expect(r.status).toBe(422);
  expect(r.body.detail).toBe(`shuffle: ciphertexts.0.${COUNT - 1}.beta: a base-10 number written as a string`);
});

test('a partial decryption of a few MB passes the size gate, and its content is checked', async () => {
  const factors = Array.from({ length: COUNT }, (_, i) => (i === COUNT - 1 ? 'x' : element));
  const proofs = Array.from({ length: COUNT }, () => ({ challenge: element, response: element }));
  const body = JSON.stringify({ decryption_factors: [factors], decryption_proofs: [proofs] });
  expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
  const r = await put('partial-decryption', body);
  expect(r.status).toBe(422);
  expect(r.body.detail).toContain(`decryption_factors.0.${COUNT - 1}: a base-10 number written as a string`);
});

test('a body over the limit gets 413 naming the limit', async () => {
  const r = await put('shuffle', ' '.repeat(TRUSTEE_COUNT_LIMIT + 1));
  expect(r.status).toBe(413);
  expect(r.body.detail).toBe(
    "the body is too large: a shuffle or partial decryption is at most 192 MB (about 7.4 KB per ballot and ranked question, with the pools' proofs: two ranked questions of some 13,000 ballots); put further ranked questions on a ballot of their own",
  );
});

test("a stranger's body is refused before it is read", async () => {
  // Content that the route would refuse (422) if it read it; bigger than 1 MB.
  const body = JSON.stringify({
    ciphertexts: [Array.from({ length: COUNT }, () => ({ alpha: element, beta: 'not a number' }))],
    proofs: [],
  });
  expect(body.length).toBeGreaterThan(1024 * 1024);
  for (const step of ['shuffle', 'partial-decryption']) {
    const r = await put(step, body, 'A'.repeat(43));
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('this trustee link is not valid: ask the organiser for the one they sent you');
  }
});
