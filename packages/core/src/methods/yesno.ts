import { z } from 'zod';
import { countYesNo, type YesNoOptions } from '../tally/methods/yesno';
import { fraction } from './common';
import { defineMethod } from './types';

export const yesno = defineMethod({
  name: 'yesno',
  answer: 'choice',
  motion: true,
  labels: {
    name: 'Yes / No (referendum)',
    hint: 'The options are Yes and No. Set the share of Yes votes needed, and a quorum if your rules have one.',
    sheet: 'Referendum (yes/no)',
    figure: 'votes',
  },
  // Yes and No are the options; abstaining is always allowed.
  settings: z.object({
    threshold: fraction
      .default('1/2')
      .describe('share of Yes among Yes+No needed to pass: more than 1/2, or at least a supermajority such as 2/3'),
    quorum: fraction
      .optional()
      .describe(
        'minimum turnout, as a share of the electorate; the turnout is every member who returned the ballot, abstaining on this question or not',
      ),
  }),
  seatsBelowOptions: false,
  fields: [
    {
      key: 'threshold',
      label: 'Share of Yes votes needed',
      short: 'share of Yes needed',
      hint: 'A fraction of Yes + No: 1/2 is a simple majority (more than half); 2/3 a two-thirds majority (at least two thirds).',
      input: 'fraction',
      inputmode: 'decimal',
      prefill: true,
    },
    {
      key: 'quorum',
      label: 'Quorum (optional)',
      short: 'quorum',
      hint: 'The least turnout for the vote to count, as a share of the electorate (e.g. 1/4). The turnout is every member who returned the ballot, including those who abstain on this question. Blank: no quorum.',
      input: 'fraction',
    },
  ],
  cli: [
    {
      flag: 'threshold',
      option: 'threshold',
      description: 'yesno: share of votes cast needed to carry, e.g. 2/3 (default: simple majority)',
      value: 'fraction',
    },
    {
      flag: 'quorum',
      option: 'quorum',
      description:
        'yesno: turnout needed (every paper, blank ones included), as a fraction of the electorate (needs --electorate)',
      value: 'fraction',
      needs: { flag: 'electorate', why: 'the number entitled to vote' },
    },
    { flag: 'electorate', option: 'electorate', description: 'yesno: number entitled to vote', value: 'fraction' },
  ],
  seats: () => 1,
  limits: () => ({}),
  describe: (s) => [`needs ${s.threshold} of Yes + No`, ...(s.quorum ? [`quorum ${s.quorum} of the electorate`] : [])],
  engine: (s, electorate): YesNoOptions => ({
    threshold: s.threshold,
    ...(s.quorum === undefined ? {} : { quorum: s.quorum, electorate }),
  }),
  membersOnly: ['quorum', 'electorate'],
  count: (election, seed, options) => countYesNo(election, seed, options),
});
