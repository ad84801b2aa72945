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
    "The link may be mistyped or cut short, or it may have been replaced by a newer one. Use the most recent email you received, or ask for a new link. If this is the link from your latest email and you did not ask for another, someone may have replaced it: report a problem to the ballot's auditors, and tell the organisers.",
  linkUsedTitle: 'This link has already been used to vote',
  linkUsedBody: 'A vote has been cast with this link, and each link casts once.',
  linkUsedCheck:
    'If it was you: your receipt code was shown when you cast your vote. After voting closes you can find it on the bulletin board:',
  linkUsedAlarm:
    "If you did not vote, someone else used your link: report a problem to the ballot's auditors at once, and tell the organisers, for example by replying to your invitation email.",
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
  problemNotOffered: 'This answer is not one of the choices on the paper. Choose again, or abstain.',
  problemUnknownField: (name: string) => `The form sent an answer (${name}) for a question this ballot does not have.`,

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
  receiptMissing:
    'If your code is missing, report a problem to the ballot’s auditors and quote it: a missing code means your vote is not in the box.',
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
    'A ballot’s bulletin board appears here once voting has opened. Check the address, or come back when voting has opened.',
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
  boardOpenIntro: 'Voting is open. When it closes, the receipt code of every vote in the ballot box is listed here.',
  boardCheckTitle: 'How to check your vote, and what to do if something is wrong',
  boardCheckReceipt:
    'When you cast your vote you were shown a receipt code. After voting closes, find it in the list on this page. If it is missing, your vote is not in the box.',
  boardCheckUsed:
    'If your voting link says it has already been used, and you did not vote, someone else voted with it.',
  boardCheckInvalid:
    'If your voting link says it is not valid, and it is the link from your latest email and you did not ask for another, someone may have replaced it.',
  boardCheckReport:
    'In each case, report a problem: it goes straight to the ballot’s auditors, the people who check the ballot for the members, as well as to the office.',
  boardReports: (n: number) =>
    n === 1 ? 'One problem has been reported to the auditors.' : `${n} problems have been reported to the auditors.`,
  reportLink: 'Report a problem to the auditors',

  // "Report a problem".
  reportTitle: 'Report a problem',
  reportIntro:
    'Tell the ballot’s auditors what went wrong: for example, a voting link that says it has already been used when you did not vote, a link that says it is not valid, or a receipt code missing from the bulletin board. Your report is emailed to every auditor of the ballot at once; the organisers can read it too, but it is counted on the bulletin board, so it cannot quietly disappear.',
  reportAbout: (title: string) => `About the ballot: ${title}`,
  reportBallot: 'The ballot’s bulletin board address, or its id',
  reportBallotHint: 'The address looks like …/board/ followed by the ballot id. Your organisers can tell you.',
  reportText: 'What went wrong',
  reportTextHint:
    'Do not paste your voting link. Nothing but what you write here is sent: if you want an answer, say how to reach you.',
  reportSend: 'Send to the auditors',
  reportDone: 'Your report has been sent to the ballot’s auditors. The bulletin board counts it.',
  reportBoard: 'The ballot’s bulletin board',
  reportNoBallot: 'No ballot has this address or id. Copy the bulletin board’s address, or the ballot id, exactly.',
  receiptCopy: 'Copy the code',
  receiptCopied: 'Copied.',
  receiptPrint: 'Print this page',
  // A mailto: link, so the code goes from the member's own mail program: the server never sends or stores it with their address.
  receiptEmail: 'Email the code to yourself',
  receiptEmailSubject: (title: string) => `My receipt code for ${title}`,
  receiptEmailBody: (title: string, code: string, board: string, id: string) =>
    `My receipt code for the ballot "${title}": ${code}\n\nCheck it on the ballot's bulletin board after voting closes: ${board}\nBallot id: ${id}\n`,
  boardSearchLabel: 'Your receipt code',
  boardSearchHint: 'As the receipt page showed it, such as ABCDE-FGHJK-LMNPQ.',
  boardSearchButton: 'Find my receipt',
  boardFound: (code: string) => `Found: receipt ${code} is on the board, so your vote is in the ballot box.`,
  boardNotFound: (code: string) =>
    `Receipt ${code} is not on the board. Check the code for typing mistakes; if it is right, tell the auditors.`,
  // The public board of a verifiable ballot (docs/verifiable.md).
  vboardTitle: (title: string) => `Verifiable ballot board: ${title}`,
  vboardIntro: (n: number) =>
    `${n === 1 ? 'One ballot has' : `${n} ballots have`} been accepted, each shown by its smart ballot tracker. A credential may vote again: then only its last ballot counts.`,
  vboardChain: 'Each ballot is an event in a hash chain; the hash of the last event commits to all before it:',
  vboardSearchLabel: 'Your smart ballot tracker',
  vboardSearchHint: 'As omov vote printed it, or as the voting page showed it.',
  vboardSearchButton: 'Find my ballot',
  vboardFound: (tracker: string) => `Found: the ballot with tracker ${tracker} is on the board.`,
  vboardNotFound: (tracker: string) =>
    `No ballot with tracker ${tracker} is on the board. Check it for typing mistakes; if it is right, tell the auditors.`,
  vboardArchive: 'The whole election in Belenios format (check it with belenios-tool election verify)',
  vboardElection: "The election's parameters (election.json)",
  vboardTracker: 'Tracker',
  vboardCredential: 'Credential (public)',
  vboardHeight: 'Place in the chain',
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
