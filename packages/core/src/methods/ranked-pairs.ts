import { z } from 'zod';
import { countRankedPairs } from '../tally/methods/condorcet';
import { seats, seatsField, seatsWords } from './common';
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
  settings: z.object({ seats: seats.default(1) }),
  seatsBelowOptions: true,
  fields: [seatsField(false)],
  cli: [],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => seatsWords(s.seats, false),
  engine: () => ({}),
  count: (election, seed) => countRankedPairs(election, seed),
});
