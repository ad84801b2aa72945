import fs from 'node:fs/promises';
import {
  type ArchiveVerification,
  isBeleniosArchive,
  verifyArchive,
  verifyArchiveWith,
} from '../crypto/verify-archive';
import type * as RecordVerifiable from '../record/verifiable';
import type * as RecordVerify from '../record/verify';
import type { Verification } from '../record/verify';
import { BallotThreads, defaultJobs } from './ballot-threads';

/*
 * The record's checker is loaded only for a record: a Belenios archive's check does without its
 * modules (the counting methods, the record's schemas: a fifth of a second of each start).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use */
const recordVerify = () => require('../record/verify') as typeof RecordVerify;
const recordVerifiable = () => require('../record/verifiable') as typeof RecordVerifiable;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The record's checks as lines of text (record/verify.ts's formatVerification). */
export const formatRecordVerification = (v: Verification): string => recordVerify().formatVerification(v);

/** A mistake in what the user gave (a file, a flag): exit status 2, as for a file that is not a record. */
export class VerifyInputError extends Error {
  readonly exitCode = 2;
}

export type VerifyFlags = { root?: string | undefined; closeHash?: string | undefined; openHash?: string | undefined };
/** How a Belenios archive is checked: its ballots over `jobs` threads (--jobs; 1: the main thread alone). */
export type ArchiveFlags = VerifyFlags & { jobs?: string | undefined };

const MAX_JOBS = 256;
/**
 * Below this size an archive holds a few dozen ballots at most, fewer than pay for starting the
 * threads (each loads the core and has OpenSSL check the group's prime, about half a second).
 */
export const THREADS_FROM_BYTES = 512 * 1024;

/** --jobs: a whole number from 1 to 256; every core when not given. */
export function parseJobs(jobs: string | undefined): number {
  if (jobs === undefined) return defaultJobs();
  const n = /^[0-9]+$/.test(jobs.trim()) ? Number(jobs) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS)
    throw new VerifyInputError(`--jobs must be a whole number from 1 to ${MAX_JOBS}, not "${jobs}"`);
  return n;
}

/**
 * Reads an election record from a file and verifies it: the one path both `omov verify`
 * and `omov-verify` take. Throws VerifyInputError for bad flags or a file that is not JSON.
 */
export async function verifyRecordFile(file: string, flags: VerifyFlags): Promise<Verification> {
  for (const [option, value] of [
    ['--root', flags.root],
    ['--close-hash', flags.closeHash],
    ['--open-hash', flags.openHash],
  ] as const) {
    if (value !== undefined && !/^[0-9a-fA-F]{64}$/.test(value.trim())) {
      throw new VerifyInputError(`${option} must be 64 hex digits (a SHA-256), not "${value}"`);
    }
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new VerifyInputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new VerifyInputError(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (recordVerifiable().isVerifiableRecord(data) && (flags.root ?? flags.closeHash ?? flags.openHash) !== undefined)
    throw new VerifyInputError(
      `${file} is a verifiable ballot's record: --root, --close-hash and --open-hash are for an office ballot's record`,
    );
  return recordVerify().verifyRecord(data, {
    ...(flags.root === undefined ? {} : { root: flags.root }),
    ...(flags.closeHash === undefined ? {} : { closeHash: flags.closeHash }),
    ...(flags.openHash === undefined ? {} : { openHash: flags.openHash }),
  });
}

/** The exit status for a verification: 0 every check passes, 1 a check fails, 2 not a record. */
export function exitStatus(v: Verification): number {
  return v.malformed ? 2 : v.ok ? 0 : 1;
}

/**
 * A verifiable ballot's Belenios archive (`<uuid>.bel`), verified; undefined when the file is
 * not one (then it is read as an election record). The record's flags do not apply to it.
 */
export async function verifyBeleniosFile(file: string, flags: ArchiveFlags): Promise<ArchiveVerification | undefined> {
  const jobs = parseJobs(flags.jobs);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new VerifyInputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isBeleniosArchive(bytes)) return undefined;
  if (flags.root !== undefined || flags.closeHash !== undefined || flags.openHash !== undefined)
    throw new VerifyInputError(
      `${file} is a Belenios archive: --root, --close-hash and --open-hash are for an election record`,
    );
  if (jobs === 1 || bytes.length < THREADS_FROM_BYTES) return verifyArchive(bytes);
  // Started before the archive's files, chain and setup are checked, so that the threads load meanwhile.
  const threads = new BallotThreads(jobs);
  try {
    return await verifyArchiveWith(bytes, threads.check);
  } finally {
    await threads.close();
  }
}
