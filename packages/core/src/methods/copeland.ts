import { countCopeland } from '../tally/methods/condorcet';
import { seatsOnly } from './common';
import { defineMethod } from './types';

export const copeland = defineMethod({
  name: 'copeland',
  answer: 'ranking',
  pairwise: true,
  labels: {
    name: 'Copeland (ranked, Condorcet)',
    hint: 'Each member ranks the options; the option with most head-to-head wins wins.',
    sheet: 'Copeland',
    figure: 'first preferences',
    column: 'Score',
  },
  ...seatsOnly,
  count: (election, seed) => countCopeland(election, seed),
});
