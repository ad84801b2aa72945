import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import type { Queryable } from '../db/database';
import type { Question } from '@omov/core/domain/ballot';
import { questionsFixed } from '@omov/core/domain/lifecycle';
import { hashSecret, type Keyring } from '../platform/secrets';

/**
 * A ballot's questions, kept in memory once the ballot has left draft: from then on they
 * cannot change (only drafts are editable), so every instance may keep its own copy and
 * none needs another's. This saves a query on every voting page.
 */
const cache = new Map<string, Question[]>();

/** A member's own seed for what their paper draws at random (the options' order, the statements' order), from their link. */
export function paperSeed(keys: Keyring, token: string): string {
  return keys.mac('option-order', hashSecret(token).toString('hex'));
}
const MAX_BALLOTS = 500;

export async function questionsOf(db: Queryable, ballot: Pick<BallotRow, 'id' | 'status'>): Promise<Question[]> {
  if (!questionsFixed(ballot.status)) return ballots.listQuestions(db, ballot.id);
  const hit = cache.get(ballot.id);
  if (hit) {
    // Refresh its place, so the least recently used ballot is the one dropped.
    cache.delete(ballot.id);
    cache.set(ballot.id, hit);
    return hit;
  }
  const questions = await ballots.listQuestions(db, ballot.id);
  cache.set(ballot.id, questions);
  if (cache.size > MAX_BALLOTS) cache.delete(cache.keys().next().value!);
  return questions;
}
