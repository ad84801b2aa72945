import { z } from 'zod';
import { countSchulze } from '../tally/methods/condorcet';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

export const schulze = defineMethod({
  name: 'schulze',
  answer: 'ranking',
  pairwise: true,
  labels: {
    name: 'Schulze (ranked, Condorcet)',
    hint: "Each member ranks the options; the option that beats every other head to head wins, with Schulze's rule for cycles.",
    sheet: 'Schulze',
    figure: 'first preferences',
  },
  settings: z.object({ seats: seats.default(1) }),
  seatsBelowOptions: true,
  fields: [seatsField(false)],
  cli: [],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => seatsWords(s.seats, false),
  engine: () => ({}),
  count: (election, seed) => countSchulze(election, seed),
});
