import { batchLookups } from '../src/platform/batch';

/** A load function that records what it was asked and answers when told to. */
function recordingLoad() {
  const calls: string[][] = [];
  const pending: Array<{ keys: string[]; resolve: () => void; reject: (e: Error) => void }> = [];
  const load = (keys: string[]) => {
    calls.push(keys);
    return new Promise<Map<string, string>>((resolve, reject) => {
      pending.push({
        keys,
        resolve: () => resolve(new Map(keys.filter((k) => !k.startsWith('unknown')).map((k) => [k, `value of ${k}`]))),
        reject,
      });
    });
  };
  const next = () => {
    const p = pending.shift();
    if (!p) throw new Error('no load is waiting');
    return p;
  };
  return {
    calls,
    load,
    next,
    get waiting() {
      return pending.length;
    },
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

test('a lookup alone is loaded at once, by itself', async () => {
  const l = recordingLoad();
  const lookup = batchLookups(l.load, { maxInFlight: 1, maxBatch: 10 });
  const a = lookup('a');
  expect(l.calls).toEqual([['a']]);
  l.next().resolve();
  await expect(a).resolves.toBe('value of a');
});

test('lookups made while a load is in flight wait, then go together in one load; each gets its own answer', async () => {
  const l = recordingLoad();
  const lookup = batchLookups(l.load, { maxInFlight: 1, maxBatch: 10 });
  const first = lookup('a');
  const later = ['b', 'c', 'unknown-d', 'b'].map((k) => lookup(k));
  expect(l.calls).toEqual([['a']]);
  l.next().resolve();
  await first;
  await tick();
  // One load for the four that waited, the repeated key asked once.
  expect(l.calls).toEqual([['a'], ['b', 'c', 'unknown-d']]);
  l.next().resolve();
  await expect(Promise.all(later)).resolves.toEqual(['value of b', 'value of c', undefined, 'value of b']);
});

test('no more than maxInFlight loads at once, none larger than maxBatch', async () => {
  const l = recordingLoad();
  const lookup = batchLookups(l.load, { maxInFlight: 2, maxBatch: 3 });
  const all = Array.from({ length: 9 }, (_, i) => lookup(`k${i}`));
  expect(l.calls).toEqual([['k0'], ['k1']]);
  l.next().resolve();
  await tick();
  expect(l.calls.slice(2)).toEqual([['k2', 'k3', 'k4']]);
  expect(l.waiting).toBe(2);
  while (l.waiting) {
    l.next().resolve();
    await tick();
  }
  expect(l.calls.flat().sort()).toEqual(Array.from({ length: 9 }, (_, i) => `k${i}`).sort());
  expect(Math.max(...l.calls.map((c) => c.length))).toBeLessThanOrEqual(3);
  await expect(Promise.all(all)).resolves.toEqual(Array.from({ length: 9 }, (_, i) => `value of k${i}`));
});

test('a failed load fails exactly the lookups it carried; the next ones still work', async () => {
  const l = recordingLoad();
  const lookup = batchLookups(l.load, { maxInFlight: 1, maxBatch: 10 });
  const a = lookup('a');
  const b = lookup('b');
  l.next().reject(new Error('database down'));
  await expect(a).rejects.toThrow('database down');
  await tick();
  expect(l.calls).toEqual([['a'], ['b']]);
  l.next().resolve();
  await expect(b).resolves.toBe('value of b');
  const c = lookup('c');
  l.next().resolve();
  await expect(c).resolves.toBe('value of c');
});
