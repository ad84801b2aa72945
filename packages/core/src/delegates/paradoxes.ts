/**
 * Paradoxes of majority rule across several yes/no questions, named when they happen.
 *
 * Voters are members (weight 1) or whole branches (weight = their members or delegates,
 * answers = the branch's majority). On each question the majority is the side with
 * strictly more weight; a question with equal weight on each side has no majority and
 * is left out of what follows.
 *
 * - Anscombe's paradox: a majority of the voters (by weight) are in the minority on a
 *   majority of the questions, although every question went the majority's way.
 * - Ostrogorski's paradox: put the questions as two opposite platforms, the one that won
 *   every question and its mirror image. Each voter backs the platform they agree with on
 *   more questions. The paradox: the mirror platform, which lost every question, wins
 *   this platform vote (by weight). With an odd number of questions and no abstentions
 *   it coincides with Anscombe's; with abstentions or an even number (voters agreeing
 *   half-and-half back neither) they can differ.
 * - Referendum paradox, question by question, when branches and delegates are given:
 *   each branch's delegates vote its majority (a tied branch's delegates abstain); the
 *   conference decides against the members' majority.
 */
import { type Rational, ZERO, add, cmp, mul, rat, ratToString } from '../tally/rational';
import { type Count, DelegateError, toRational } from './numbers';

export interface QuestionVoter {
  readonly branch?: string;
  /** Default 1. */
  readonly weight?: Count;
  /** One answer per question: true = yes, false = no, null = no answer. */
  readonly answers: ReadonlyArray<boolean | null>;
}

export interface QuestionParadoxInput {
  readonly questions: ReadonlyArray<string>;
  readonly voters: ReadonlyArray<QuestionVoter>;
  /** Delegates per branch, for the conference's answer to each question. */
  readonly delegates?: Readonly<Record<string, number>>;
}

export type Side = 'yes' | 'no' | 'tie';

export interface QuestionOutcome {
  readonly question: string;
  readonly yes: string;
  readonly no: string;
  readonly majority: Side;
  /** The conference's delegate votes, when delegates were given. */
  readonly conference: { readonly yes: number; readonly no: number; readonly majority: Side } | null;
  readonly referendumParadox: boolean;
}

export interface QuestionParadoxes {
  readonly questions: ReadonlyArray<QuestionOutcome>;
  readonly anscombe: {
    readonly occurs: boolean;
    /** Weight of voters in the minority on more than half of the decided questions. */
    readonly inMinorityOnMost: string;
    readonly total: string;
  };
  readonly ostrogorski: {
    readonly occurs: boolean;
    /** Weight backing the platform that won every question, its mirror, and neither. */
    readonly forMajorityPlatform: string;
    readonly forMirrorPlatform: string;
    readonly forNeither: string;
  };
  /** Names of the paradoxes that occur, with what happened, in words. */
  readonly findings: ReadonlyArray<{
    readonly name: 'anscombe' | 'ostrogorski' | 'referendum';
    readonly description: string;
  }>;
}

const side = (yes: Rational, no: Rational): Side => (cmp(yes, no) > 0 ? 'yes' : cmp(yes, no) < 0 ? 'no' : 'tie');

export function questionParadoxes(input: QuestionParadoxInput): QuestionParadoxes {
  const q = input.questions.length;
  if (q === 0) throw new DelegateError('no questions');
  const weights = input.voters.map((v, i) => {
    if (v.answers.length !== q)
      throw new DelegateError(`voter ${i + 1} answers ${v.answers.length} questions, not ${q}`);
    return toRational(v.weight ?? 1, `the weight of voter ${i + 1}`);
  });
  const yes: Rational[] = input.questions.map(() => ZERO);
  const no: Rational[] = input.questions.map(() => ZERO);
  input.voters.forEach((v, i) =>
    v.answers.forEach((a, k) => {
      if (a === true) yes[k] = add(yes[k]!, weights[i]!);
      else if (a === false) no[k] = add(no[k]!, weights[i]!);
    }),
  );
  const majority = input.questions.map((_, k) => side(yes[k]!, no[k]!));
  const decided = majority.filter((m) => m !== 'tie').length;

  // Anscombe and Ostrogorski, voter by voter.
  let inMinorityOnMost = ZERO;
  let forMajority = ZERO;
  let forMirror = ZERO;
  let forNeither = ZERO;
  let total = ZERO;
  input.voters.forEach((v, i) => {
    let agree = 0;
    let disagree = 0;
    v.answers.forEach((a, k) => {
      const m = majority[k];
      if (a === null || m === 'tie') return;
      if ((a ? 'yes' : 'no') === m) agree++;
      else disagree++;
    });
    if (agree + disagree === 0) return; // answered nothing that was decided
    const w = weights[i]!;
    total = add(total, w);
    if (2 * disagree > decided) inMinorityOnMost = add(inMinorityOnMost, w);
    if (agree > disagree) forMajority = add(forMajority, w);
    else if (disagree > agree) forMirror = add(forMirror, w);
    else forNeither = add(forNeither, w);
  });
  const anscombe = decided > 0 && cmp(mul(rat(2), inMinorityOnMost), total) > 0;
  const ostrogorski = decided > 0 && cmp(forMirror, forMajority) > 0;

  // The conference, question by question.
  const delegates = input.delegates;
  const outcomes: QuestionOutcome[] = input.questions.map((question, k) => {
    let conference: QuestionOutcome['conference'] = null;
    if (delegates) {
      const byBranch = new Map<string, { yes: Rational; no: Rational }>();
      input.voters.forEach((v, i) => {
        if (v.branch === undefined) throw new DelegateError(`voter ${i + 1} has no branch, but delegates were given`);
        const t = byBranch.get(v.branch) ?? { yes: ZERO, no: ZERO };
        const a = v.answers[k];
        if (a === true) t.yes = add(t.yes, weights[i]!);
        else if (a === false) t.no = add(t.no, weights[i]!);
        byBranch.set(v.branch, t);
      });
      let dy = 0;
      let dn = 0;
      for (const [branch, t] of byBranch) {
        const d = delegates[branch];
        if (d === undefined) throw new DelegateError(`no delegates given for branch ${JSON.stringify(branch)}`);
        const s = side(t.yes, t.no);
        if (s === 'yes') dy += d;
        else if (s === 'no') dn += d;
      }
      conference = { yes: dy, no: dn, majority: side(rat(dy), rat(dn)) };
    }
    const m = majority[k]!;
    return {
      question,
      yes: ratToString(yes[k]!),
      no: ratToString(no[k]!),
      majority: m,
      conference,
      referendumParadox:
        conference !== null && m !== 'tie' && conference.majority !== 'tie' && conference.majority !== m,
    };
  });

  const findings: Array<QuestionParadoxes['findings'][number]> = [];
  const pct = (a: Rational): string =>
    total.num === 0n ? '0' : (Number((a.num * 10000n * total.den) / (a.den * total.num)) / 100).toFixed(2);
  if (anscombe) {
    findings.push({
      name: 'anscombe',
      description: `Anscombe's paradox: ${pct(inMinorityOnMost)}% of the voters were on the losing side of most of the ${decided} decided questions, although each question went the majority's way.`,
    });
  }
  if (ostrogorski) {
    findings.push({
      name: 'ostrogorski',
      description: `Ostrogorski's paradox: offered as whole platforms, the mirror of the outcome (which lost every question) would be backed by ${pct(forMirror)}% against ${pct(forMajority)}% for the outcome itself.`,
    });
  }
  for (const o of outcomes) {
    if (o.referendumParadox && o.conference) {
      findings.push({
        name: 'referendum',
        description: `Referendum paradox on "${o.question}": the members said ${o.majority} (${o.yes} to ${o.no}) but the conference would say ${o.conference.majority} (${o.conference.yes} to ${o.conference.no} delegates).`,
      });
    }
  }
  return {
    questions: outcomes,
    anscombe: { occurs: anscombe, inMinorityOnMost: ratToString(inMinorityOnMost), total: ratToString(total) },
    ostrogorski: {
      occurs: ostrogorski,
      forMajorityPlatform: ratToString(forMajority),
      forMirrorPlatform: ratToString(forMirror),
      forNeither: ratToString(forNeither),
    },
    findings,
  };
}
