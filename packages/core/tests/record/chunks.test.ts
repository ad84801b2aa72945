import type { StoredVote } from '../../src/domain/ballot';
import { canonicalJson, canonicalJsonChunks, StreamedList } from '../../src/record/canonical';
import { inclusionOrder } from '../../src/record/commitments';
import { buildRecord, type RecordInput, recordBytes, recordChunks } from '../../src/record/record';

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}
async function joined(chunks: AsyncIterable<string>): Promise<{ text: string; sizes: number[] }> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return { text: parts.join(''), sizes: parts.map((p) => p.length) };
}

describe('canonical JSON in chunks', () => {
  test('gives the bytes canonicalJson gives, lists read in their place, keys sorted, undefined left out', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ z: i, a: `é${i}`, m: [i, { y: null, b: true }] }));
    const value = { zeta: 1, alpha: { list: items, nested: { b: 'x', a: undefined } }, empty: [], mid: 'm' };
    const streamed = {
      ...value,
      alpha: { ...value.alpha, list: new StreamedList(each(items)) },
      empty: new StreamedList(each([])),
    };
    const { text, sizes } = await joined(canonicalJsonChunks(streamed, 1000));
    expect(text).toBe(canonicalJson(value));
    // Written in pieces of about the size asked for, not whole.
    expect(sizes.length).toBeGreaterThan(50);
    expect(Math.max(...sizes.slice(0, -1))).toBeLessThan(1000 + 200);
  });
});

describe('the record in chunks', () => {
  const votes: StoredVote[] = Array.from({ length: 300 }, (_, i) => ({
    unit: i % 3 ? 'North' : 'South',
    weight: '1',
    receipt: `R${String(1000 + ((i * 7919) % 300)).padStart(5, '0')}`,
    answers: { q: { kind: 'choice', option: i % 2 } },
  }));
  const input = (policy: 'inclusion' | 'choices'): RecordInput => ({
    ballot: {
      id: 'ballot-1',
      title: 'Motion',
      description: '',
      opensAt: '2026-03-01T09:00:00.000Z',
      closesAt: '2026-03-08T09:00:00.000Z',
      timeZone: 'Europe/London',
      openedAt: '2026-03-01T09:00:00.000Z',
      closedAt: '2026-03-08T09:00:00.000Z',
      k: 3,
      receiptPolicy: policy,
      voterListVisible: false,
      questions: [],
      delegates: null,
    },
    byBranch: [
      { branch: 'South', eligible: 200, voted: 100 },
      { branch: 'North', eligible: 400, voted: 200 },
    ],
    units: [],
    votes,
    receipts: policy === 'inclusion' ? votes.map((v) => v.receipt!) : [],
    tokens: { atOpen: ['aa', 'bb', 'cc'], later: ['dd'], used: ['aa', 'dd'] },
    chain: null,
    boxRoot: 'f'.repeat(64),
    results: [],
    resultsHash: 'e'.repeat(64),
    auditLog: [],
  });

  test.each(['inclusion', 'choices'] as const)(
    'under %s, is byte for byte recordBytes of buildRecord given the parts in published order',
    async (policy) => {
      const whole = input(policy);
      const built = buildRecord(whole);
      const published =
        policy === 'choices'
          ? [...votes].sort((a, b) => (a.receipt! < b.receipt! ? -1 : 1))
          : inclusionOrder(votes.map(({ receipt: _, ...v }) => v));
      const { text } = await joined(
        recordChunks({
          ...whole,
          votes: each(published),
          codes: each(built.receipts.codes),
          tokens: { atOpen: each(['aa', 'bb', 'cc']), later: each(['dd']), used: each(['aa', 'dd']) },
        }),
      );
      expect(text).toBe(recordBytes(built));
    },
  );

  test('leaves the tokens out when there are none, as buildRecord does', async () => {
    const whole = { ...input('inclusion'), votes: [], receipts: [], tokens: null };
    const { text } = await joined(recordChunks({ ...whole, votes: each([]), codes: each([]), tokens: null }));
    expect(text).toBe(recordBytes(buildRecord(whole)));
    expect(text).not.toContain('"tokens"');
  });
});
