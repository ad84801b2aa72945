import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type Checkpoint,
  chainElement,
  chainStart,
  checkpointKey,
  extendChain,
  signCheckpoint,
} from '@omov/core/record/chain';
import { allows } from '@omov/core/domain/lifecycle';
import * as ballots from '../data/ballots';
import * as chain from '../data/chain';
import type { Tx } from '../db/database';
import type { Keyring } from '../platform/secrets';
import type { AppContext } from './context';

/**
 * The box's chain (packages/core/src/record/chain.ts): off the cast path, the chainer takes
 * the sealed votes not yet chained, appends the SHA-256 of each to the ballot's chain and
 * signs a checkpoint over (ballot, count, head) with a key the database cannot derive. A
 * database insider who deletes a chained vote (and marks its token unused) leaves a chain
 * that no longer matches the votes, and cannot sign a new one.
 *
 * Cutting the tail (the last votes, their elements and the last checkpoints) would leave a
 * consistent, shorter chain: so the server remembers the last checkpoint it signed for
 * each ballot outside the database's reach, in memory and in a file beside the development
 * secret, and the close enters it in its log entry; `omov verify` then requires it in the
 * record's chain.
 */

/** Sealed votes chained per transaction: short transactions, few rows locked at a time. */
const CHAIN_BATCH = 2000;

const seedOf = (keys: Keyring, ballotId: string) => keys.key(`box-chain:${ballotId}`).export();

type Remembered = Pick<Checkpoint, 'count' | 'head'>;

/**
 * The last checkpoint this server signed for each ballot, kept where the database's
 * insider cannot reach: in memory, and in DATA_DIR/keys/chain (folder 0700), so that a
 * restart does not forget it.
 */
export class CheckpointMemory {
  private readonly signed = new Map<string, Remembered>();
  constructor(private readonly dir: string) {}

  private file(ballotId: string): string {
    // Ballot ids are UUIDs; anything else never names a file.
    if (!/^[0-9a-f-]{36}$/i.test(ballotId)) throw new Error('not a ballot id');
    return path.join(this.dir, `${ballotId}.json`);
  }

  private async fromFile(ballotId: string): Promise<Remembered | undefined> {
    try {
      const x = JSON.parse(await fs.readFile(this.file(ballotId), 'utf8')) as Remembered;
      return Number.isSafeInteger(x.count) && typeof x.head === 'string' ? { count: x.count, head: x.head } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The furthest checkpoint remembered, in memory or on file. */
  async remembered(ballotId: string): Promise<Remembered | undefined> {
    const a = this.signed.get(ballotId);
    const b = await this.fromFile(ballotId);
    if (!a) return b;
    if (!b) return a;
    return a.count >= b.count ? a : b;
  }

  /** Called once the checkpoint is committed: remembering one that rolled back would be a false alarm. */
  async remember(ballotId: string, cp: Remembered): Promise<void> {
    const known = await this.remembered(ballotId);
    if (known && known.count >= cp.count) return;
    this.signed.set(ballotId, { count: cp.count, head: cp.head });
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file(ballotId)}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify({ count: cp.count, head: cp.head }), { mode: 0o600 });
    await fs.rename(tmp, this.file(ballotId));
  }
}

/** At open, inside the opening transaction: checkpoint 0 is signed, and the public key returned for the commitment. */
export async function startChain(tx: Tx, keys: Keyring, ballotId: string): Promise<string> {
  const seed = seedOf(keys, ballotId);
  await chain.insertCheckpoint(tx, ballotId, signCheckpoint(seed, ballotId, 0, chainStart(ballotId)));
  return checkpointKey(seed);
}

/**
 * The votes this server put in the box since its chainer last looked, kept in memory. A
 * database insider who deletes a vote before the chainer passes (and marks its token
 * unused) leaves a box with no trace of it; the server that cast it still knows, and
 * chains it anyway, so that the chain holds one vote more than the box (V17). Lost with
 * the process: a vote cast just before a crash is only in the box.
 */
export class CastWitness {
  private readonly seen = new Map<string, string[]>();

  /** After the cast's transaction committed. */
  saw(ballotId: string, sealed: string): void {
    const list = this.seen.get(ballotId);
    if (list) list.push(sealed);
    else this.seen.set(ballotId, [sealed]);
  }

  ballots(): string[] {
    return [...this.seen.keys()];
  }

  /** What was seen for the ballot until now (its chain elements), forgotten here. */
  take(ballotId: string): string[] {
    const list = this.seen.get(ballotId) ?? [];
    this.seen.delete(ballotId);
    return list.map(chainElement);
  }
}

export type ChainState = {
  /** The latest checkpoint in the database. */
  latest: Checkpoint;
  /** The last checkpoint this server remembers signing, or none. */
  remembered: Remembered | undefined;
  /**
   * False when the database's chain is not the one this server signed: the remembered
   * checkpoint is gone, or the chain's length is not the latest checkpoint's count.
   * Nothing more is chained then, so that the record shows the break.
   */
  intact: boolean;
  /** Elements added by this step. */
  added: string[];
};

/** Up to `limit` votes not yet chained, as chain elements. */
const unchained =
  (ballotId: string, limit: number) =>
  async (tx: Tx): Promise<string[]> =>
    (await chain.takeUnchained(tx, ballotId, limit)).map(chainElement);

/**
 * One step of the chainer, in the caller's transaction: the elements `take` gives are
 * chained and one checkpoint signed. Undefined for a ballot without a chain (opened before
 * chains were kept).
 */
async function chainStep(
  ctx: AppContext,
  tx: Tx,
  ballotId: string,
  take: (tx: Tx) => Promise<string[]>,
): Promise<ChainState | undefined> {
  await chain.lockChain(tx, ballotId);
  const latest = await chain.latestCheckpoint(tx, ballotId);
  if (!latest) return undefined;
  const remembered = await ctx.checkpoints.remembered(ballotId);
  const intact =
    (await chain.chainLength(tx, ballotId)) === latest.count &&
    (!remembered || (remembered.count <= latest.count && (await chain.hasCheckpoint(tx, ballotId, remembered))));
  if (!intact) return { latest, remembered, intact, added: [] };
  // Sorted within the batch, so that the chain shows no order finer than a batch.
  const elements = (await take(tx)).sort();
  if (!elements.length) return { latest, remembered, intact, added: [] };
  await chain.appendElements(tx, ballotId, latest.count, elements);
  const count = latest.count + elements.length;
  const cp = signCheckpoint(
    seedOf(ctx.keys, ballotId),
    ballotId,
    count,
    extendChain(latest.head, latest.count, elements),
  );
  await chain.insertCheckpoint(tx, ballotId, cp);
  return { latest: cp, remembered, intact, added: elements };
}

const broken = (ctx: AppContext, ballotId: string, s: ChainState) =>
  ctx.log.error(
    { ballotId, checkpoint: s.latest.count, remembered: s.remembered?.count ?? null },
    "the ballot box's chain is not the one this server signed: a vote may have been removed from the box",
  );

/**
 * The votes this server cast that are neither chained in this pass nor already in the
 * chain: gone from the box before the chainer saw them. Run after the pass has taken every
 * vote that was in the box, under the chain's lock (so no other chainer is mid-step).
 */
const vanished =
  (ctx: AppContext, ballotId: string, witnessed: string[], chainedNow: Set<string>) =>
  async (tx: Tx): Promise<string[]> => {
    const candidates = witnessed.filter((e) => !chainedNow.has(e));
    if (!candidates.length) return [];
    const present = await chain.presentElements(tx, ballotId, candidates);
    const missing = candidates.filter((e) => !present.has(e));
    if (missing.length)
      ctx.log.error(
        { ballotId, missing: missing.length },
        'votes this server put in the ballot box are gone from it: chained anyway, so that the box no longer matches its chain',
      );
    return missing;
  };

/** Chains the new votes of one open ballot, a batch per transaction, then what this server cast that is not there. */
export async function chainBallot(ctx: AppContext, ballotId: string): Promise<void> {
  // Taken before the first step: each of these was committed before the pass began.
  const witnessed = ctx.witness.take(ballotId);
  const chainedNow = new Set<string>();
  let take = unchained(ballotId, CHAIN_BATCH);
  for (let checkedWitness = false; ;) {
    const s = await ctx.db.transaction().execute(async (tx) => {
      // Shared, as a cast takes it: a close waits for the chainer, and the chainer for a close.
      const b = await ballots.lockBallot(tx, ballotId, 'share');
      return b && allows(b.status, 'cast') ? chainStep(ctx, tx, ballotId, take) : undefined;
    });
    if (!s) return;
    if (!s.intact) return broken(ctx, ballotId, s);
    for (const e of s.added) chainedNow.add(e);
    if (s.added.length) await ctx.checkpoints.remember(ballotId, s.latest);
    if (s.added.length && !checkedWitness) continue;
    if (checkedWitness || !witnessed.length) return;
    checkedWitness = true;
    take = vanished(ctx, ballotId, witnessed, chainedNow);
  }
}

/** The chainer's round: every open ballot with votes not yet chained, or cast here since the last round. */
export async function chainOpenBallots(ctx: AppContext): Promise<void> {
  const ids = new Set([...(await chain.ballotsWithUnchained(ctx.db)), ...ctx.witness.ballots()]);
  for (const id of ids) await chainBallot(ctx, id);
}

/** What the close's log entry says of the chain: the final checkpoint, and the one this server remembers signing. */
export type ChainAtClose = { count: number; head: string; remembered: Remembered | null };

/**
 * At close, inside the closing transaction (which holds the ballot exclusively), before the
 * box is opened: every vote left is chained and a final checkpoint signed.
 */
export async function closeChain(ctx: AppContext, tx: Tx, ballotId: string): Promise<ChainAtClose | undefined> {
  const witnessed = ctx.witness.take(ballotId);
  const chainedNow = new Set<string>();
  let s: ChainState | undefined;
  do {
    s = await chainStep(ctx, tx, ballotId, unchained(ballotId, CHAIN_BATCH));
    for (const e of s?.added ?? []) chainedNow.add(e);
  } while (s?.intact && s.added.length);
  if (!s) return undefined;
  if (s.intact) {
    const w = await chainStep(ctx, tx, ballotId, vanished(ctx, ballotId, witnessed, chainedNow));
    if (w?.added.length) s = w;
  }
  if (!s.intact) broken(ctx, ballotId, s);
  return { count: s.latest.count, head: s.latest.head, remembered: s.remembered ?? null };
}
