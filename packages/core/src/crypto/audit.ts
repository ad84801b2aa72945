import * as z from 'zod';
import { auditBallot, checkBallot, type EncryptedBallot, type Plaintext, plaintextProblem } from './ballot';
import type { Election } from './election';
import { questionGroups } from './score';
import { numberJson, parseJson } from './wire';

/**
 * The Benaloh challenge's evidence (docs/verifiable.md): a ballot the member chose to audit
 * instead of casting, with what it claims to encrypt and the randomness that encrypted it.
 * Anyone holding the election can check it, in the voting page or with
 * `omov verify-ballot-audit`: if the page that made the ballot had encrypted anything else,
 * the check fails. An audited ballot is never cast: its secrecy is gone.
 *
 * The file is JSON: {"election_hash", "tracker", "ballot" (the ballot's exact text),
 * "plaintext" (Belenios's 0/1 per answer, per question), "randomness" (per question and
 * value, base-10 strings)}.
 */
export type BallotAudit = {
  readonly electionHash: string;
  readonly tracker: string;
  readonly ballot: string;
  readonly plaintext: Plaintext;
  readonly randomness: ReadonlyArray<ReadonlyArray<bigint>>;
};

export function writeBallotAudit(election: Election, b: EncryptedBallot, plaintext: Plaintext): string {
  return JSON.stringify(
    {
      election_hash: election.fingerprint,
      tracker: b.tracker,
      ballot: b.text,
      plaintext,
      randomness: b.randomness.map((rs) => rs.map(String)),
    },
    null,
    1,
  );
}

const auditJson = z.strictObject({
  election_hash: z.string(),
  tracker: z.string(),
  ballot: z.string(),
  plaintext: z.array(z.array(z.number().int())),
  randomness: z.array(z.array(numberJson)),
});

export function parseBallotAudit(text: string): BallotAudit {
  const a = parseJson(auditJson, text, 'ballot audit');
  return {
    electionHash: a.election_hash,
    tracker: a.tracker,
    ballot: a.ballot,
    plaintext: a.plaintext,
    randomness: a.randomness,
  };
}

export type AuditCheck =
  | { readonly ok: true; readonly tracker: string; readonly plaintext: Plaintext }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks an audited ballot against the election: it is a valid ballot of this election (its
 * signature and proofs), its tracker is its hash, its plaintext fits every question, and
 * every ciphertext is the encryption of that plaintext with the revealed randomness.
 */
export function checkBallotAudit(election: Election, audit: BallotAudit): AuditCheck {
  if (audit.electionHash !== election.fingerprint)
    return { ok: false, reason: 'the audit is of a ballot for another election' };
  const checked = checkBallot(election, audit.ballot);
  if (!checked.ok) return { ok: false, reason: `the ballot does not check: ${checked.reason}` };
  if (checked.tracker !== audit.tracker) return { ok: false, reason: 'the tracker is not the hash of the ballot' };
  if (audit.plaintext.length !== election.questions.length)
    return { ok: false, reason: 'the plaintext does not answer every question' };
  for (const [i, q] of election.questions.entries()) {
    const problem = plaintextProblem(q, audit.plaintext[i]!);
    if (problem) return { ok: false, reason: `question ${i + 1}: ${problem}` };
  }
  if (!auditBallot(election, checked.ballot, audit.plaintext, audit.randomness))
    return {
      ok: false,
      reason:
        'the ballot does not encrypt the plaintext shown with the randomness shown: the page encrypted something else',
    };
  return { ok: true, tracker: checked.tracker, plaintext: audit.plaintext };
}

/**
 * What a plaintext chooses, in words: per question, the answers marked, or "blank"; a score
 * question's options (each its own Belenios question, crypto/score.ts) on one line, each
 * option's score ("no score" for an option left blank), or "blank" when none is scored.
 */
export function describePlaintext(election: Election, plaintext: Plaintext): string[] {
  return questionGroups(election.questions).map((g) => {
    if (g.kind === 'score') {
      const given = g.labels.map((label, k) => {
        const m = plaintext[g.first + k] ?? [];
        const s = m[0] === 1 ? -1 : m.slice(1).indexOf(1);
        return { label, score: s < 0 ? undefined : s };
      });
      return given.every((x) => x.score === undefined)
        ? `${g.title}: blank`
        : `${g.title}: ${given.map((x) => `${x.label} ${x.score ?? 'no score'}`).join(', ')}`;
    }
    const i = g.index;
    const q = election.questions[i]!;
    const m = plaintext[i] ?? [];
    if (q.nonHomomorphic) {
      const ranked = q.answers
        .map((answer, j) => ({ answer, rank: m[j] ?? 0 }))
        .filter((x) => x.rank > 0)
        .sort((x, y) => x.rank - y.rank);
      return `${q.question}: ${ranked.length ? ranked.map((x) => `${x.rank}. ${x.answer}`).join(', ') : '(nothing ranked)'}`;
    }
    if (q.blank && m[0] === 1) return `${q.question}: blank`;
    const marks = q.blank ? m.slice(1) : m;
    const chosen = q.answers.filter((_, j) => marks[j] === 1);
    return `${q.question}: ${chosen.length ? chosen.join(', ') : '(nothing)'}`;
  });
}
