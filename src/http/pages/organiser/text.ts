/**
 * Words on the organisers' and auditors' pages that are not one-off sentences: delegate
 * models, notices after an action (each counting method's words are in its descriptor,
 * @omov/core/methods). The voters' words are in
 * src/http/messages.ts; these are separate so that either can be translated alone.
 */

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
  weighted: "Weighted: every member's paper weighted by delegates per vote, recounted",
  stv: "STV within the branch: its delegates elected by its members' ranked ballots (ranked questions only)",
} as const;
/** The rules a declared comparison may name: those of a ballot's model, and meeting attendees. */
export const DECLARED_RULE_LABEL = {
  ...RULE_LABEL,
  attendees:
    "Meeting attendees: all of a branch's delegates vote as the majority of its meeting would, counted here with each branch's voters' own majority (see the chances above)",
} as const;

/** Notices after a POST-redirect-GET, by key: only these texts can appear. */
export const DONE: Record<string, string> = {
  'proposal-rules': 'The rules for proposals are set. They apply to proposals started from now on.',
  'proposal-links': 'Every current member is being mailed their own proposals link.',
  'branch-secretary': 'The secretary is named and is being mailed their link.',
  'secretary-withdrawn': 'The secretary is withdrawn: their link no longer works.',
  'election-set':
    'The election is set. When nominations open, every current member is mailed so, with their own link to nominate from.',
  'election-scheduled':
    'The election is on this ballot: its candidates, in the order drawn by lot, are its last question. Nobody can add or drop one.',
  'proposal-scheduled': 'The proposal is on the ballot, in its own words, as the last question.',
  'statements-saved': 'The statements are saved. Members see them beside the question when the ballot opens.',
  'agenda-order': 'The agenda’s order is declared. It is fixed with the question when the ballot opens.',
  saved: 'The draft is saved.',
  created: 'The draft ballot is created. Check it, preview it, then open it.',
  opened: 'The ballot is open: the invitations are being sent.',
  closed: 'The ballot is closed and counted.',
  published: 'The results are published.',
  deleted: 'The draft is deleted.',
  reminders: 'Reminders are queued for every member who has not voted.',
  merged: 'The branches are merged.',
  reissued:
    'Done. If the member has not voted yet, a new link is on its way and their old link no longer works. If they have voted, their vote stands and they get a note instead of a link. This page does not say which.',
  added: 'The member is added to the electorate and invited.',
  'test-email': 'A test invitation is on its way to you. Its link is an example and does not vote.',
  'test-reminder': 'A test reminder is on its way to you. Its link is an example and does not vote.',
  'mail-saved': 'The wording of the emails is saved. Invitations and reminders sent from now on use it.',
  invited: 'The invitation is on its way. The link in it works once.',
  revoked: 'The API token is revoked.',
  'invitation-revoked': 'The invitation is revoked: its link no longer works.',
  'member-saved': 'The member is saved.',
  'member-added': 'The member is added to the roll.',
  'member-removed': 'The member is removed from the roll.',
};

export const STATUS_LABEL = { draft: 'Draft', open: 'Open', closed: 'Closed', published: 'Published' } as const;
