import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { RandomBytes } from '../../src/crypto/random';

/** Reproducible randomness for tests: SHA-256 of the seed and a counter, block after block. */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32)
      out.set(sha256(utf8ToBytes(`${seed}|${counter++}`)).subarray(0, length - i), i);
    return out;
  };
}

export const BELENIOS_TOOL = '/usr/bin/belenios-tool';

/**
 * Debian's belenios-tool 2.0 is the oracle: `npm test` installs it (scripts/ensure-test-tools.sh).
 * A missing tool fails these tests; it never skips them.
 */
export function requireBeleniosTool(): void {
  if (!fs.existsSync(BELENIOS_TOOL))
    throw new Error(
      `${BELENIOS_TOOL} is missing: these tests need Debian's belenios-tool (apt-get install belenios-tool; npm test installs it)`,
    );
}

/** Runs belenios-tool in `dir`; stdin optional; returns stdout; throws with stderr on failure. */
export function belenios(dir: string, args: string[], input?: string): string {
  try {
    return execFileSync(BELENIOS_TOOL, args, {
      cwd: dir,
      input: input ?? '',
      encoding: 'utf8',
      env: { ...process.env, BELENIOS_USE_URANDOM: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`belenios-tool ${args.join(' ')} failed: ${err.stderr ?? err.message}`, { cause: e });
  }
}

export const tempDir = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `omov-${name}-`));

/** The files of a .bel archive (an uncompressed tar) in order, read with tar(1). */
export function archiveEntries(belFile: string): { name: string; text: string }[] {
  const names = execFileSync('tar', ['-tf', belFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return names.map((name) => ({ name, text: execFileSync('tar', ['-xOf', belFile, name], { encoding: 'utf8' }) }));
}
