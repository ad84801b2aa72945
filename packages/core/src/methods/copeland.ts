import { z } from 'zod';
import { countCopeland } from '../tally/methods/condorcet';
import { seats, seatsField, seatsWords } from './common';
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
  settings: z.object({ seats: seats.default(1) }),
  seatsBelowOptions: true,
  fields: [seatsField(false)],
  cli: [],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => seatsWords(s.seats, false),
  engine: () => ({}),
  count: (election, seed) => countCopeland(election, seed),
});
