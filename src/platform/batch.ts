/**
 * Coalesces lookups by key into few loads. At most `maxInFlight` loads run at once; keys
 * asked for while they are all busy wait, and the next load takes every waiting key (up
 * to `maxBatch`). A lookup alone goes at once and waits for nobody; under load one query
 * answers many requests, so the database parses, plans and sends once, not per request.
 * Each answer is still read after its request arrived: nothing is cached.
 */
export type Lookup<V> = (key: string) => Promise<V | undefined>;

export function batchLookups<V>(
  load: (keys: string[]) => Promise<Map<string, V>>,
  opts: { maxInFlight: number; maxBatch: number },
): Lookup<V> {
  type Waiter = { key: string; resolve: (v: V | undefined) => void; reject: (err: unknown) => void };
  let waiting: Waiter[] = [];
  let inFlight = 0;

  const pump = (): void => {
    while (inFlight < opts.maxInFlight && waiting.length > 0) {
      const batch = waiting.length <= opts.maxBatch ? waiting : waiting.slice(0, opts.maxBatch);
      waiting = batch === waiting ? [] : waiting.slice(opts.maxBatch);
      inFlight += 1;
      const keys = [...new Set(batch.map((w) => w.key))];
      load(keys)
        .then(
          (found) => {
            for (const w of batch) w.resolve(found.get(w.key));
          },
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      pump();
    });
}
