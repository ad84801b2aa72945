import { countRankedPairs } from '../tally/methods/condorcet';
import { seatsOnly } from './common';
import { defineMethod } from './types';

export const rankedPairs = defineMethod({
  name: 'ranked-pairs',
  answer: 'ranking',
  pairwise: true,
  labels: {
    name: 'Ranked pairs (ranked, Condorcet)',
    hint: 'Each member ranks the options; head-to-head wins are locked in from the largest (Tideman).',
    sheet: 'Ranked pairs (Tideman)',
    figure: 'first preferences',
  },
  ...seatsOnly,
  count: (election, seed) => countRankedPairs(election, seed),
});
