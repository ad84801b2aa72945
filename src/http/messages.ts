/**
 * Every text a voter reads on the voting pages, the bulletin board and the new-link page,
 * in one catalogue, so that a translation is a new entry here and nothing else. The
 * enhancement script (public/vote.js) reads its few texts from the page, which takes them
 * from here (`scriptTexts`). English first.
 */
export const en = {
  // Refusals: each says what happened and what to do next.
  linkUnknownTitle: 'This voting link is not valid',
  linkUnknownBody:
    "The link may be mistyped or cut short, or it may have been replaced by a newer one. Use the most recent email you received, or ask for a new link. If this is the link from your latest email and you did not ask for another, someone may have replaced it: tell the organisers, and ask for the ballot's auditors to be told.",
  linkUsedTitle: 'This link has already been used to vote',
  linkUsedBody: 'A vote has been cast with this link, and each link casts once.',
  linkUsedCheck:
    'If it was you: your receipt code was shown when you cast your vote. After voting closes you can find it on the bulletin board:',
  linkUsedAlarm:
    "If you did not vote, someone else used your link: tell the organisers at once, for example by replying to your invitation email, and ask for the ballot's auditors to be told.",
  notYetOpenTitle: 'Voting has not opened yet',
  notYetOpenBody: (opens: string) => `Voting opens at ${opens}. Come back then with the same link.`,
  notYetOpenKeep: 'Looking at this page does not use up your link.',
  closedTitle: 'Voting has closed',
  closedBody: (closes: string) => `Voting closed at ${closes}. Your link can no longer be used.`,
  closedBoard: 'If you voted, find your receipt code on the bulletin board:',
  expiredTitle: 'This page has expired',
  expiredBody: 'Your answers were not sent, and nothing was cast. Open your voting link again and start again:',
  expiredLink: 'Back to the ballot paper',
  expired: 'This form has expired. Please start again.',
  newLinkLink: 'Send me a new voting link',
  notFoundTitle: 'Page not found',

  // The ballot paper.
  stepPaper: 'Step 1 of 2: fill in your ballot paper',
  stepReview: 'Step 2 of 2: check and cast',
  closesAt: (closes: string) => `Voting closes at ${closes}.`,
  paperIntro:
    'Answer each question, or abstain on it. Nothing is cast until you have checked your answers and pressed “Cast my vote”. Your vote is secret.',
  abstain: 'Abstain (no choice on this question)',
  abstainMany: 'Abstain on this question',
  chooseOne: 'Choose one.',
  markUpTo: (n: number) => (n === 1 ? 'Mark one.' : `Mark up to ${n}.`),
  toElect: (n: number) => (n === 1 ? 'One will be elected.' : `${n} will be elected.`),
  rankHint:
    'Give 1 to your first choice, 2 to your second, and so on. Rank as many or as few as you like; leave the rest blank.',
  scoreHint: (max: number) => `Give each option a score from 0 (worst) to ${max} (best), or leave it blank.`,
  notRanked: 'not ranked',
  noScore: 'no score',
  review: 'Review my vote',
  formProblems: 'Some answers need attention:',

  // What the server says about an answer it cannot take (the page works without JavaScript).
  problemTooManyMarks: (max: number, n: number) => `You marked ${n}; mark at most ${max}.`,
  problemRankTwice: (r: number) => `You gave the number ${r} to more than one option. Give each number once.`,
  problemRankGap: (r: number) => `Number your choices 1, 2, 3… without gaps: number ${r} is missing.`,
  problemAbstainAndAnswer: 'You abstained and also answered. Either untick “Abstain” or clear your answer.',
  problemOther: (detail: string) => `This answer cannot be taken: ${detail}.`,

  // Tap-to-rank and marking limits (read by public/vote.js from the page).
  tapHint: 'Tap the options in order of preference: your first choice first. Tap a ranked option again to take it out.',
  tapUndo: 'Undo',
  tapClear: 'Clear ranking',
  tapNext: 'rank next',
  tapRanked: 'ranked {n}; tap to take out',
  tapOrder: 'Your order: {list}.',
  tapNone: 'Nothing ranked yet.',
  marksCount: '{n} of {max} marked.',
  marksFull: 'You can mark up to {max}. Unmark one first.',

  // Review.
  reviewTitle: 'Check your vote before you cast it',
  reviewHint: 'Your vote cannot be changed once cast.',
  castNow: 'Cast my vote',
  change: 'Change my answers',
  abstained: 'Abstain',
  leftBlank: 'Abstain (you left this question blank)',
  noScoreGiven: 'no score',

  // Receipt.
  castTitle: 'Your vote has been cast',
  receiptIntro: 'Your receipt code:',
  receiptKeep:
    'Write it down or take a screenshot: it is not stored with your name, and nobody can send it to you again.',
  receiptHowTitle: 'How to check that your vote was counted',
  receiptStepClose: (closes: string) => `Voting closes at ${closes}.`,
  receiptStepBoard: 'After that, this ballot’s bulletin board lists the receipt code of every vote in the ballot box:',
  receiptStepFindInclusion:
    'Find your code there. The board shows codes only, not answers, and nothing the organisers keep pairs a code with its answers: your code shows that your vote was counted, never how you voted.',
  receiptStepFindChoices:
    'Find your code there: the answers recorded under it are shown beside it. Check they are the answers you cast. This code reveals your vote to anyone you show it to: keep it to yourself.',
  receiptMissing: 'If your code is missing, tell the organisers and quote it.',
  ballotId: (id: string) => `Ballot id: ${id}`,

  // Public pages: "send me a new link" and the bulletin board.
  newLinkTitle: 'Send me a new voting link',
  newLinkIntro:
    'Enter the email address the organisers have for you. If it is on the roll of a ballot that is open now, we will send a new link to it, and your old link will stop working.',
  newLinkEmail: 'Your email address',
  newLinkSend: 'Send me a new link',
  newLinkDone:
    'If this address is on the roll of an open ballot, a new link is on its way. Check your inbox (and spam folder) in a few minutes.',
  newLinkBadEmail: 'Enter an email address, such as name@example.org.',
  newLinkAsk: 'Lost your link, or has it stopped working?',
  boardTitle: (title: string) => `Bulletin board: ${title}`,
  boardMissingTitle: 'No bulletin board here yet',
  boardMissingBody:
    'A ballot’s bulletin board appears here once voting has closed and the ballot box has been opened. Check the address, or come back after the close.',
  boardIntro: (n: number) =>
    `The ballot box holds ${n} votes. Each voter was given a receipt code; find yours below to check that your vote is in the box.`,
  boardChoices: 'Each receipt is shown with the answers recorded under it.',
  boardInclusion:
    'Only the receipt codes are shown, not the answers, so that a receipt cannot prove to anyone how you voted.',
  boardRoot: 'Ballot box root (Merkle tree hash of every vote and receipt, as the election record lists them):',
  boardElectorate:
    'Members in the electorate, branch by branch, as the server committed to before anyone voted (auditors were sent this commitment). If your branch’s figure looks wrong, tell the auditors.',
  boardBranch: 'Branch',
  boardEligible: 'Members',
  boardReceipt: 'Receipt code',
  boardAnswers: 'Answers',
  boardJson: 'The same list as JSON',
  receiptCopy: 'Copy the code',
  receiptCopied: 'Copied.',
  receiptPrint: 'Print this page',
  boardSearchLabel: 'Your receipt code',
  boardSearchHint: 'As the receipt page showed it, such as ABCDE-FGHJK-LMNPQ.',
  boardSearchButton: 'Find my receipt',
  boardFound: (code: string) => `Found: receipt ${code} is on the board, so your vote is in the ballot box.`,
  boardNotFound: (code: string) =>
    `Receipt ${code} is not on the board. Check the code for typing mistakes; if it is right, tell the auditors.`,
} as const;

export type Messages = typeof en;
export const messages: Messages = en;

/** The texts public/vote.js needs, handed to it in data- attributes on the form. */
export const scriptTexts = (t: Messages) => ({
  tapHint: t.tapHint,
  tapUndo: t.tapUndo,
  tapClear: t.tapClear,
  tapNext: t.tapNext,
  tapRanked: t.tapRanked,
  tapOrder: t.tapOrder,
  tapNone: t.tapNone,
  marksCount: t.marksCount,
  marksFull: t.marksFull,
});
