import { z } from 'zod';
import { countPlurality } from '../tally/methods/marks';
import { defineMethod } from './types';

export const plurality = defineMethod({
  name: 'plurality',
  answer: 'choice',
  labels: {
    name: 'Single choice (first past the post)',
    hint: 'Each member chooses one option; the most votes wins.',
    sheet: 'Plurality',
    figure: 'votes',
  },
  settings: z.object({}),
  seatsBelowOptions: true,
  fields: [],
  cli: [],
  seats: () => 1,
  limits: () => ({}),
  describe: () => [],
  engine: () => ({}),
  count: (election, seed) => countPlurality(election, seed),
});
