import { z } from 'zod';
import { countBlock } from '../tally/methods/marks';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

export const block = defineMethod({
  name: 'block',
  answer: 'marks',
  labels: {
    name: 'Block vote (mark up to the number of seats)',
    hint: 'Each member marks up to as many options as there are seats; the options with most marks win.',
    sheet: 'Block vote',
    figure: 'marks',
  },
  settings: z.object({ seats }),
  seatsBelowOptions: true,
  fields: [seatsField(true)],
  cli: [],
  seats: (s) => s.seats,
  limits: (s) => ({ marks: s.seats }),
  describe: (s) => seatsWords(s.seats, true),
  engine: () => ({}),
  count: (election, seed) => countBlock(election, seed),
});
