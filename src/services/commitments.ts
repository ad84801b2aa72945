import { setImmediate } from 'node:timers/promises';
import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as electorate from '../data/electorate';
import type { Principal } from '../data/organisations';
import type { Queryable, Tx } from '../db/database';
import {
  definitionHash,
  electorateHash,
  electorateOf,
  OPEN_COMMITMENT,
  tokensRootOfSorted,
} from '@omov/core/record/commitments';
import type { DelegateSettingsInput, Question } from '@omov/core/domain/ballot';
import type { Keyring } from '../platform/secrets';
import { mailAuditors, record } from './audit';
import { startChain } from './chain';

/**
 * The commitments that make a ballot's count checkable against what it was when it opened
 * (docs/election-record.md, checks V13 to V16). At open: the ballot's definition, its
 * electorate per branch and the root of the issued token hashes go into the audit log and,
 * at once, to every auditor by email, so that a later rewrite of the log cannot match what
 * they hold. At close: the roots of the used tokens and of the tokens issued after opening,
 * for the close's log entry (whose hash is mailed to the auditors too). Both read the
 * tokens back from the database in hash order, whatever way they were written.
 */

type By = Principal | { system: string; organisationId: string };

/** The ballot as the record and the commitment at open show it (the same fields, the same questions). */
export function ballotDefinition(b: BallotRow, questions: Question[]) {
  return {
    id: b.id,
    title: b.title,
    description: b.description,
    k: b.k,
    receiptPolicy: b.receiptPolicy,
    voterListVisible: b.voterListVisible,
    questions,
    delegates: (b.delegateSettings ?? null) as DelegateSettingsInput | null,
  };
}

/** The root and count of the ballot's token hashes of one kind, read in batches (a party's electorate is never held). */
const rootOf = (db: Queryable, ballotId: string, which: { atOpen?: boolean; used?: boolean }) =>
  tokensRootOfSorted(givingWay(electorate.issuedTokenHashes(db, ballotId, which)));

/** Hashes between which the event loop is let through. */
const GIVE_WAY_EVERY = 1000;

/**
 * The hashes as they come, with a turn of the event loop every GIVE_WAY_EVERY of them: a
 * batch read is hashed into the tree in one go otherwise (10,000 tokens, some 400 ms of a
 * loaded machine at close, when other requests would wait).
 */
async function* givingWay(hashes: AsyncIterable<string>): AsyncGenerator<string> {
  let n = 0;
  for await (const h of hashes) {
    yield h;
    if (++n % GIVE_WAY_EVERY === 0) await setImmediate();
  }
}

/**
 * Inside the opening transaction, once every token of the electorate is written. An office
 * ballot's box chain starts here: the public key of its checkpoints is committed too.
 */
export async function commitAtOpen(tx: Tx, keys: Keyring, b: BallotRow, by: By): Promise<void> {
  await electorate.recordIssuedAtOpen(tx, b.id);
  const definition = definitionHash(ballotDefinition(b, await ballots.listQuestions(tx, b.id)));
  const byBranch = electorateOf(await electorate.electorateByBranch(tx, b.id));
  const { root, count } = await rootOf(tx, b.id, { atOpen: true });
  const chainKey = b.mode.kind === 'office' ? await startChain(tx, keys, b.id) : undefined;
  const entry = await record(tx, by, OPEN_COMMITMENT, b.id, {
    definition,
    electorate: byBranch,
    electorateHash: electorateHash(byBranch),
    tokensRoot: root,
    tokens: count,
    ...(chainKey && { chainKey }),
  });
  // Mailed at once: an insider who later rewrites the log (and every hash after it) to
  // match a changed ballot, electorate or token list cannot match this entry's hash.
  await mailAuditors(tx, b, 'open-commitment', {
    ballotId: b.id,
    definition,
    electorateHash: electorateHash(byBranch),
    eligible: String(count),
    tokensRoot: root,
    openEntry: String(entry.position),
    openHash: entry.hash,
    ...(chainKey && { chainKey }),
  });
}

/**
 * Inside the closing transaction, after the box is opened: the used flags are fixed, the
 * token hashes leave voting_tokens, and the close's log entry gets these roots.
 */
export async function commitAtClose(
  tx: Tx,
  ballotId: string,
): Promise<{ usedRoot: string; used: number; laterRoot: string; later: number }> {
  await electorate.closeTokens(tx, ballotId);
  const used = await rootOf(tx, ballotId, { used: true });
  const later = await rootOf(tx, ballotId, { atOpen: false });
  return { usedRoot: used.root, used: used.count, laterRoot: later.root, later: later.count };
}
