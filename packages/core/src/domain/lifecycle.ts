/**
 * The life of a ballot, in one place: its states, the transitions between them (and who
 * triggers each), and what each state allows. Every status check in the app asks here.
 *
 *   draft ──open──▶ open ──close──▶ closed ──publish──▶ published
 *     └──delete──▶ (gone)
 *
 * An open ballot also has a voting window, judged by the database's clock: before its
 * opening time it is scheduled (links sent, votes not yet taken), after its closing time
 * it is closing (votes refused) until the clock or an organiser closes it.
 */

export const BALLOT_STATUSES = ['draft', 'open', 'closed', 'published'] as const;
export type BallotStatus = (typeof BALLOT_STATUSES)[number];

/** Who moves a ballot on: an organiser by hand, or the clock at the closing time. */
export type Trigger = 'organiser' | 'clock';

/** Every status change there is. A change not listed here cannot be written. */
export const TRANSITIONS = {
  open: { from: 'draft', to: 'open', by: ['organiser'] },
  close: { from: 'open', to: 'closed', by: ['organiser', 'clock'] },
  publish: { from: 'closed', to: 'published', by: ['organiser'] },
} as const satisfies Record<string, { from: BallotStatus; to: BallotStatus; by: readonly Trigger[] }>;
export type Transition = keyof typeof TRANSITIONS;

/** The state a transition leaves the ballot in. */
export type StatusAfter<T extends Transition> = (typeof TRANSITIONS)[T]['to'];

/**
 * What can be done to or with a ballot; each is allowed in some states only. Who may do
 * it (organiser, auditor, member, anyone) is the business of the app's access rules.
 */
export const BALLOT_ACTIONS = [
  'edit',
  'delete',
  'preview',
  'open',
  'add-to-electorate',
  'reissue-link',
  'send-reminders',
  'edit-mail',
  'cast',
  'close',
  'publish',
  'read-turnout',
  'read-delivery',
  'read-results',
  'read-board',
  'read-receipts',
  'read-public-results',
  'export-record',
  'download-ballots',
] as const;
export type BallotAction = (typeof BALLOT_ACTIONS)[number];

type Rule = { in: readonly BallotStatus[]; refusal: (s: BallotStatus) => string };

const whileOpen = (what: string): Rule => ({ in: ['open'], refusal: (s) => `the ballot is ${s}: ${what}` });
const onceClosed = (what: string): Rule => ({
  in: ['closed', 'published'],
  refusal: (s) => `the ballot is ${s}: ${what}`,
});

/** Per action, the states that allow it and the one plain sentence that refuses it. */
export const ACTION_RULES: { readonly [A in BallotAction]: Rule } = {
  edit: { in: ['draft'], refusal: (s) => `the ballot is ${s}: only a draft can be edited` },
  delete: { in: ['draft'], refusal: (s) => `the ballot is ${s}: only a draft can be deleted` },
  preview: { in: ['draft'], refusal: (s) => `the ballot is ${s}: previews are of drafts` },
  open: { in: [TRANSITIONS.open.from], refusal: (s) => `the ballot is already ${s}` },
  'add-to-electorate': whileOpen('members can join the electorate only while it is open'),
  'reissue-link': whileOpen('links can be re-issued only while it is open'),
  'send-reminders': whileOpen('reminders go out only while it is open'),
  // Invitations and reminders may still go out while it is open, so their wording may change.
  'edit-mail': {
    in: ['draft', 'open'],
    refusal: (s) => `the ballot is ${s}: its emails can be changed until it closes`,
  },
  cast: whileOpen('votes are taken only while it is open'),
  close: { in: [TRANSITIONS.close.from], refusal: (s) => `the ballot is ${s}: only an open ballot can be closed` },
  publish: {
    in: [TRANSITIONS.publish.from],
    refusal: (s) => `the ballot is ${s}: only a closed ballot can be published`,
  },
  'read-turnout': {
    in: ['open', 'closed', 'published'],
    refusal: (s) => `the ballot is ${s}: it has no turnout until it opens`,
  },
  'read-delivery': {
    in: ['open', 'closed', 'published'],
    refusal: (s) => `the ballot is ${s}: no invitations go out until it opens`,
  },
  'read-results': onceClosed('results come when it is closed'),
  'read-board': {
    in: ['open', 'closed', 'published'],
    refusal: (s) => `the ballot is ${s}: the bulletin board is put up when it opens`,
  },
  'read-receipts': onceClosed('the board lists receipts once it is closed'),
  'read-public-results': { in: ['published'], refusal: (s) => `the ballot is ${s}: its results are not published` },
  'export-record': onceClosed('its election record exists once it is closed'),
  'download-ballots': onceClosed('its papers can be downloaded once it is closed'),
};

export function allows(status: BallotStatus, action: BallotAction): boolean {
  return ACTION_RULES[action].in.includes(status);
}

/** Why this state refuses this action, or null if it allows it. */
export function refusal(status: BallotStatus, action: BallotAction): string | null {
  return allows(status, action) ? null : ACTION_RULES[action].refusal(status);
}

/** The states that allow an action: for the queries that select ballots by state. */
export function statusesAllowing(action: BallotAction): BallotStatus[] {
  return BALLOT_STATUSES.filter((s) => allows(s, action));
}

/** A ballot's questions never change once it is out of draft, so they may be kept. */
export const questionsFixed = (status: BallotStatus) => !allows(status, 'edit');

export type VotingWindow = 'not-yet-open' | 'open' | 'closed';

/**
 * Whether votes are taken now: the state and the times together. An open ballot before
 * its opening time is not yet open; one past its closing time is closed, even before
 * the clock has closed it.
 */
export function votingWindow(b: { status: BallotStatus; opensAt: Date; closesAt: Date }, now: Date): VotingWindow {
  if (allows(b.status, 'read-results') || now >= b.closesAt) return 'closed';
  if (!allows(b.status, 'cast') || now < b.opensAt) return 'not-yet-open';
  return 'open';
}

/** When voting ends, or ended: the actual closing time after a close (early or not), else the scheduled one. */
export const closingTime = (b: { closesAt: Date; closedAt: Date | null }): Date => b.closedAt ?? b.closesAt;
