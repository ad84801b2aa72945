/**
 * Every text a voter reads on the voting pages, in one catalogue, so that a translation
 * is a new entry here and nothing else. English first.
 */
export const en = {
  linkUnknownTitle: 'This voting link is not valid',
  linkUnknownBody: 'The link may be mistyped, or it may have been replaced by a newer one. Use the most recent email you received, or ask for a new link.',
  linkUsedTitle: 'This link has already been used to vote',
  linkUsedBody: 'A vote has been cast with this link, and each link casts once. If you did not vote, tell the organisers at once.',
  notYetOpenTitle: 'Voting has not opened yet',
  notYetOpenBody: (opens: string) => `Voting opens at ${opens}. Come back then with the same link.`,
  closedTitle: 'Voting has closed',
  closedBody: (closes: string) => `Voting closed at ${closes}. Your link can no longer be used.`,
  closesAt: (closes: string) => `Voting closes at ${closes}.`,
  abstain: 'Abstain (no choice on this question)',
  chooseOne: 'Choose one.',
  markUpTo: (n: number) => `Mark up to ${n}.`,
  rankHint: 'Give 1 to your first choice, 2 to your second, and so on. Rank as many or as few as you like; leave the rest blank.',
  scoreHint: (max: number) => `Give each option a score from 0 to ${max}, or leave it blank.`,
  notRanked: 'not ranked',
  noScore: 'no score',
  review: 'Review my vote',
  reviewTitle: 'Check your vote before you cast it',
  reviewHint: 'Your vote cannot be changed once cast.',
  castNow: 'Cast my vote',
  change: 'Change my answers',
  youChose: 'Your answer',
  abstained: 'Abstain',
  castTitle: 'Your vote has been cast',
  receiptIntro: 'Your receipt code:',
  receiptHow: 'Keep this code. When the ballot closes, the organisers publish the list of receipt codes; find yours there to check that your vote was counted.',
  formProblems: 'Some answers need attention:',
  newLinkTitle: 'Send me a new voting link',
  newLinkIntro: 'Enter the email address the organisers have for you. If it is on the roll of a ballot that is open now, we will send a new link to it, and your old link will stop working.',
  newLinkEmail: 'Your email address',
  newLinkSend: 'Send me a new link',
  newLinkDone: 'If this address is on the roll of an open ballot, a new link is on its way. Check your inbox (and spam folder) in a few minutes.',
  newLinkAsk: 'Lost your link, or has it stopped working?',
  boardTitle: (title: string) => `Bulletin board: ${title}`,
  boardIntro: (n: number) => `The ballot box holds ${n} votes. Each voter was given a receipt code; find yours below to check that your vote is in the box.`,
  boardChoices: 'Each receipt is shown with the answers recorded under it.',
  boardInclusion: 'Only the receipt codes are shown, not the answers, so that a receipt cannot prove to anyone how you voted.',
  boardRoot: 'Ballot box root (Merkle tree hash of every vote, in this order):',
  expired: 'This form has expired. Please start again.',
} as const;

export type Messages = typeof en;
export const messages: Messages = en;
