import type { Method } from '@omov/core/tally/types';

/**
 * Words on the organisers' and auditors' pages that are not one-off sentences: method
 * names and what they mean, settings, notices after an action. The voters' words are in
 * src/http/messages.ts; these are separate so that either can be translated alone.
 */

export const METHOD_LABEL: Record<Method, string> = {
  yesno: 'Yes / No (referendum)',
  plurality: 'Single choice (first past the post)',
  block: 'Block vote (mark up to the number of seats)',
  approval: 'Approval (mark all you approve of)',
  score: 'Score (give each option a score)',
  borda: 'Borda count (ranked, points by rank)',
  irv: 'Instant runoff (ranked, one winner)',
  stv: 'Single transferable vote (ranked, several seats)',
  schulze: 'Schulze (ranked, Condorcet)',
  'ranked-pairs': 'Ranked pairs (ranked, Condorcet)',
  copeland: 'Copeland (ranked, Condorcet)',
};

export const METHOD_HINT: Record<Method, string> = {
  yesno: 'The options are Yes and No. Set the share of Yes votes needed, and a quorum if your rules have one.',
  plurality: 'Each member chooses one option; the most votes wins.',
  block: 'Each member marks up to as many options as there are seats; the options with most marks win.',
  approval: 'Each member marks every option they approve of (up to a maximum if you set one).',
  score: 'Each member scores each option from 0 to the maximum; the highest total wins.',
  borda: 'Each member ranks the options; points by rank decide.',
  irv: 'Each member ranks the options; the last is excluded round by round until one has a majority.',
  stv: 'Each member ranks the candidates; candidates reaching the quota are elected, surpluses and exclusions transfer.',
  schulze:
    "Each member ranks the options; the option that beats every other head to head wins, with Schulze's rule for cycles.",
  'ranked-pairs': 'Each member ranks the options; head-to-head wins are locked in from the largest (Tideman).',
  copeland: 'Each member ranks the options; the option with most head-to-head wins wins.',
};

export const CONDORCET: ReadonlySet<Method> = new Set(['schulze', 'ranked-pairs', 'copeland']);

/** Which settings each method takes in the builder (the zod schema in src/domain/ballot.ts is the authority). */
export const METHOD_SETTINGS: Record<
  Method,
  ReadonlyArray<'threshold' | 'quorum' | 'seats' | 'maxMarks' | 'maxScore' | 'variant' | 'rules'>
> = {
  yesno: ['threshold', 'quorum'],
  plurality: [],
  block: ['seats'],
  approval: ['seats', 'maxMarks'],
  score: ['seats', 'maxScore'],
  borda: ['seats', 'variant'],
  irv: [],
  stv: ['seats', 'rules'],
  schulze: ['seats'],
  'ranked-pairs': ['seats'],
  copeland: ['seats'],
};

export const STV_RULES = {
  scottish: 'Scottish STV (2007 rules, 5 decimal places)',
  ers97: 'ERS97 (Electoral Reform Society)',
  meek: 'Meek (computer count)',
} as const;
export const BORDA_VARIANTS = {
  standard: 'Standard (n−1, n−2, … points)',
  dowdall: 'Dowdall (1, 1/2, 1/3, … points)',
} as const;

export const APPORTIONMENT_LABEL = {
  hamilton: 'Hamilton (largest remainder, Hare)',
  droop: 'Largest remainder (Droop)',
  dhondt: "D'Hondt (Jefferson)",
  'sainte-lague': 'Sainte-Laguë (Webster)',
  'modified-sainte-lague': 'Modified Sainte-Laguë',
  'huntington-hill': 'Huntington–Hill',
  adams: 'Adams',
} as const;

export const BASIS_LABEL = {
  members: 'Members of each branch',
  electorate: 'Members entitled to vote on this ballot',
  turnout: 'Members who voted',
} as const;
export const RULE_LABEL = {
  bloc: "Bloc: all of a branch's delegates vote for the branch's own result",
  proportional: "Proportional: a branch's delegates are split by its vote",
  weighted: "Weighted: every member's ballot weighted by delegates per vote, recounted",
} as const;

/** Notices after a POST-redirect-GET, by key: only these texts can appear. */
export const DONE: Record<string, string> = {
  saved: 'The draft is saved.',
  created: 'The draft ballot is created. Check it, preview it, then open it.',
  opened: 'The ballot is open: the invitations are being sent.',
  closed: 'The ballot is closed and counted.',
  published: 'The results are published.',
  deleted: 'The draft is deleted.',
  reminders: 'Reminders are queued for every member who has not voted.',
  reissued: 'A new link is on its way to the member; their old link no longer works.',
  added: 'The member is added to the electorate and invited.',
  'test-email': 'A test invitation is on its way to you. Its link is an example and does not vote.',
  invited: 'The invitation is on its way. The link in it works once.',
  revoked: 'The API token is revoked.',
  'member-saved': 'The member is saved.',
  'member-added': 'The member is added to the roll.',
  'member-removed': 'The member is removed from the roll.',
};

export const STATUS_LABEL = { draft: 'Draft', open: 'Open', closed: 'Closed', published: 'Published' } as const;
