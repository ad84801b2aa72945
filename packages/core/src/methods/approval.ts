import { z } from 'zod';
import { type ApprovalOptions, countApproval } from '../tally/methods/marks';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

export const approval = defineMethod({
  name: 'approval',
  answer: 'marks',
  labels: {
    name: 'Approval (mark all you approve of)',
    hint: 'Each member marks every option they approve of (up to a maximum if you set one).',
    sheet: 'Approval',
    figure: 'marks',
  },
  settings: z.object({ seats: seats.default(1), maxMarks: z.number().int().min(1).optional() }),
  // Every option may be approved of, so every option may be elected.
  seatsBelowOptions: false,
  fields: [
    seatsField(false),
    {
      key: 'maxMarks',
      label: 'Most options a member may mark (optional)',
      short: 'most marks',
      hint: 'Blank: as many as they like.',
      input: 'whole',
      min: 1,
    },
  ],
  cli: [
    {
      flag: 'max-marks',
      option: 'maxMarks',
      description: 'approval: most marks a valid paper may carry',
      value: 'whole',
    },
  ],
  seats: (s) => s.seats,
  limits: (s, options) => ({ marks: s.maxMarks ?? options }),
  describe: (s) => [
    ...seatsWords(s.seats, false),
    ...(s.maxMarks === undefined ? [] : [`at most ${s.maxMarks} marks`]),
  ],
  engine: (s): ApprovalOptions => (s.maxMarks === undefined ? {} : { maxMarks: s.maxMarks }),
  count: (election, seed, options) => countApproval(election, seed, options),
});
