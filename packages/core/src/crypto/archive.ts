import { utf8ToBytes } from '@noble/hashes/utils';
import { sha256Hex } from './hash';

/**
 * Belenios 2.0's public record of an election (specification, "Election archive"): a chain of
 * events, each naming its parent by hash, its height, its type and, for most, the SHA-256 of
 * its payload. The archive file (`<uuid>.bel`) is an uncompressed tar: a header entry
 * `BELENIOS`, then, in order, every data text as `<sha256>.data.json` (before the first event
 * that names it) and every event as `<sha256>.event.json`, with no end-of-archive blocks (events
 * are appended to the file as they come). belenios-tool reads it with `election verify --dir`,
 * and insists it is byte for byte the archive it would write itself from the same events.
 */
export type EventType =
  'Setup' | 'Ballot' | 'EndBallots' | 'EncryptedTally' | 'Shuffle' | 'EndShuffles' | 'PartialDecryption' | 'Result';

export type ChainedEvent = { readonly text: string; readonly hash: string };

/**
 * The event's JSON in Belenios's field order; `parent` is the hash of the event before (none
 * for the Setup at height 0), `payload` the text whose hash the event names (none for EndBallots and EndShuffles).
 */
export function chainEvent(
  parent: string | undefined,
  height: number,
  type: EventType,
  payload?: string,
): ChainedEvent {
  const text =
    `{${parent === undefined ? '' : `"parent":"${parent}",`}"height":${height},"type":"${type}"` +
    (payload === undefined ? '' : `,"payload":"${sha256Hex(payload)}"`) +
    '}';
  return { text, hash: sha256Hex(text) };
}

/** The Setup event's payload: the hashes of the election, the trustees and the public credentials (a JSON list of lines). */
export const writeSetup = (election: string, trustees: string, credentials: string): string =>
  `{"election":"${sha256Hex(election)}","trustees":"${sha256Hex(trustees)}","credentials":"${sha256Hex(credentials)}"}`;

/** The public credentials as the archive lists them: "credential" or, for a weight other than 1, "credential,weight". */
export const writeCredentialList = (
  cs: ReadonlyArray<{ credential: bigint | string; weight: bigint | string }>,
): string =>
  JSON.stringify(cs.map((c) => (String(c.weight) === '1' ? String(c.credential) : `${c.credential},${c.weight}`)));

/** An event of the chain with the data texts it brings (the payload last, any data it points to before). */
export type ArchiveEntry = { readonly event: string; readonly data: ReadonlyArray<string> };

const BLOCK = 512;

/** A tar header (the old, ustar-less form belenios-tool writes): name, mode 644, owner 0, size, time, checksum, a regular file. */
function tarHeader(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => h.set(utf8ToBytes(text), offset);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  put(0, name);
  put(100, octal(0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(mtime, 12));
  put(148, '        ');
  put(156, '0');
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/**
 * The archive file: the header (`{"version":1,"timestamp":"…"}`, seconds since 1970), then each
 * entry's data not written before and its event. `timestamp` also dates every file in the tar.
 */
export function writeArchive(timestamp: number, entries: ReadonlyArray<ArchiveEntry>): Uint8Array {
  const files: Array<{ name: string; bytes: Uint8Array }> = [
    { name: 'BELENIOS', bytes: utf8ToBytes(`{"version":1,"timestamp":"${timestamp}"}`) },
  ];
  const written = new Set<string>();
  for (const e of entries) {
    for (const d of e.data) {
      const hash = sha256Hex(d);
      if (written.has(hash)) continue;
      written.add(hash);
      files.push({ name: `${hash}.data.json`, bytes: utf8ToBytes(d) });
    }
    files.push({ name: `${sha256Hex(e.event)}.event.json`, bytes: utf8ToBytes(e.event) });
  }
  const size = files.reduce((n, f) => n + BLOCK + Math.ceil(f.bytes.length / BLOCK) * BLOCK, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const f of files) {
    out.set(tarHeader(f.name, f.bytes.length, timestamp), at);
    out.set(f.bytes, at + BLOCK);
    at += BLOCK + Math.ceil(f.bytes.length / BLOCK) * BLOCK;
  }
  return out;
}
