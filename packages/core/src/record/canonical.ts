/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no spaces, numbers as JSON
 * writes them. The same value always gives the same bytes, which is what hashes need.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError('canonical JSON has no NaN or Infinity');
    if (value === undefined) throw new TypeError('canonical JSON has no undefined');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // A Date as JSON writes it (and as the database keeps it): its ISO string, not "{}".
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A list too long to hold, written by canonicalJsonChunks one item at a time as it is read.
 * It may stand for the value of an object's field (at any depth of objects), not for an item
 * of an ordinary array.
 */
export class StreamedList {
  constructor(readonly items: AsyncIterable<unknown>) {}
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof StreamedList);

async function* pieces(value: unknown): AsyncGenerator<string> {
  if (value instanceof StreamedList) {
    let first = true;
    yield '[';
    for await (const item of value.items) {
      yield first ? canonicalJson(item) : `,${canonicalJson(item)}`;
      first = false;
    }
    yield ']';
    return;
  }
  if (!isPlainObject(value)) {
    yield canonicalJson(value);
    return;
  }
  // The same order and omissions as canonicalJson's.
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  yield '{';
  for (const [i, [k, v]] of entries.entries()) {
    yield `${i ? ',' : ''}${JSON.stringify(k)}:`;
    yield* pieces(v);
  }
  yield '}';
}

/**
 * canonicalJson in chunks of about `chunkSize` characters, for a value too large to hold as
 * one string: its StreamedLists are read as they are written. The chunks joined are the
 * canonicalJson of the value with each list in its place as an array.
 */
export async function* canonicalJsonChunks(value: unknown, chunkSize = 1 << 16): AsyncGenerator<string> {
  let buffered: string[] = [];
  let length = 0;
  for await (const piece of pieces(value)) {
    buffered.push(piece);
    length += piece.length;
    if (length >= chunkSize) {
      yield buffered.join('');
      buffered = [];
      length = 0;
    }
  }
  if (length) yield buffered.join('');
}
