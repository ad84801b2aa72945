import * as ballots from '../data/ballots';
import * as box from '../data/ballot-box';
import type { Principal } from '../data/organisations';
import { methodOf } from '@omov/core/methods/index';
import { questionElection } from '@omov/core/domain/count';
import { writeBlt } from '@omov/core/tally/formats/blt';
import type { Election, RankedBallot } from '@omov/core/tally/types';
import { requireBallotVisible, requireState } from './access';
import type { AppContext } from './context';
import { invalid, notFound } from './errors';

/**
 * A ranked question's papers as a BLT file, for counting in other programs (OpenSTV,
 * Droop, eSTV). The votes come from the opened box, in published (receipt) order; the
 * same votes are in the election record, so this reveals nothing the record does not.
 */
export async function questionBlt(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  questionId: string,
): Promise<{ fileName: string; text: string }> {
  requireBallotVisible(p, ballotId);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  requireState(b, 'download-ballots');
  const q = (await ballots.listQuestions(ctx.db, ballotId)).find((x) => x.id === questionId);
  if (!q) throw notFound('question');
  if (methodOf(q.method).answer !== 'ranking')
    throw invalid(`question ${q.position + 1} is not ranked (${q.method}): BLT holds ranked papers`);
  const election = questionElection(q, await box.listVotes(ctx.db, ballotId), q.title) as Election<RankedBallot>;
  let text: string;
  try {
    text = writeBlt(election);
  } catch (err) {
    // A name with a double quote, say: BLT cannot hold it, and says so.
    throw invalid(`this question cannot be written as BLT: ${(err as Error).message}`);
  }
  return { fileName: `ballot-${ballotId}-question-${q.position + 1}.blt`, text };
}
