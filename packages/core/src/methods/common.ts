import { z } from 'zod';
import type { Field } from './types';

/** Settings and fields several methods share. */

export const seats = z.number().int().min(1).max(100);

export const fraction = z.string().regex(/^\d+\/\d+$|^0?\.\d+$|^1$/, 'a fraction such as "1/2", "2/3" or "0.5"');

export const seatsField = (required: boolean): Field => ({
  key: 'seats',
  label: required ? 'Seats (places to fill)' : 'Seats (places to fill; 1 if blank)',
  short: 'seats',
  input: 'whole',
  min: 1,
  max: 100,
});

/** "3 seats", said when more than one, or always where the method needs the number. */
export function seatsWords(n: number | undefined, required: boolean): string[] {
  return typeof n === 'number' && (n > 1 || required) ? [`${n} seat${n === 1 ? '' : 's'}`] : [];
}

/** The whole of a method's settings part where it has none: one seat, no fields, no flags. */
export const noSettings = {
  settings: z.object({}),
  seatsBelowOptions: true,
  fields: [],
  cli: [],
  seats: () => 1,
  limits: () => ({}),
  describe: () => [],
  engine: () => ({}),
};

/** The whole of a method's settings part where its only setting is the number of seats (default 1). */
export const seatsOnly = {
  settings: z.object({ seats: seats.default(1) }),
  seatsBelowOptions: true,
  fields: [seatsField(false)],
  cli: [],
  seats: (s: { seats: number }) => s.seats,
  limits: () => ({}),
  describe: (s: { seats: number }) => seatsWords(s.seats, false),
  engine: () => ({}),
};
