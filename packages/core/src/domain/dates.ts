/**
 * Dates and times as people type them: ISO ("2026-12-05", "2026-12-05T18:00") and the
 * organisation's own way ("05/12/2026 18:00" in the UK, "12/05/2026 6:00 pm" in the US,
 * "5 Dec 2026 18:00" anywhere). Whether 05/12 is the 5th of December or the 12th of May
 * is the one thing that needs the locale: the date order, guessed from the time zone the
 * organiser chose (month first in the United States' and the Philippines' zones).
 */

/** The order of day, month and year in a date written with numbers only. */
export type DateOrder = 'dmy' | 'mdy';

export type CalendarDate = { year: number; month: number; day: number };
export type WallTime = CalendarDate & { hour: number; minute: number };

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

/** Zones whose people write the month first (America/New_York: 12/05/2026 is 5 December). */
const MONTH_FIRST =
  /^(America\/(New_York|Detroit|Kentucky\/.+|Indiana\/.+|Chicago|Menominee|North_Dakota\/.+|Denver|Boise|Phoenix|Los_Angeles|Anchorage|Juneau|Sitka|Metlakatla|Yakutat|Nome|Adak|Puerto_Rico)|Pacific\/(Honolulu|Guam|Saipan|Pago_Pago)|US\/.+|Asia\/Manila|EST5EDT|CST6CDT|MST7MDT|PST8PDT)$/;

export function dateOrderOf(zone: string): DateOrder {
  return MONTH_FIRST.test(zone) ? 'mdy' : 'dmy';
}

/** An example of a date and time in the order, for hints and messages. */
export function exampleOf(order: DateOrder, withTime = true): string {
  const date = order === 'mdy' ? '12/05/2026' : '05/12/2026';
  return withTime ? `${date} 18:00` : date;
}

/** How the order is said in a hint: "day/month/year". */
export const ORDER_WORDS: Record<DateOrder, string> = { dmy: 'day/month/year', mdy: 'month/day/year' };

const MONTHS = 'january february march april may june july august september october november december'.split(' ');

/** A month by its name or an abbreviation of at least three letters ("Dec", "Sept."). */
function monthNamed(word: string): number | undefined {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => m.startsWith(w));
  return i >= 0 ? i + 1 : undefined;
}

const realDate = (d: CalendarDate) =>
  d.month >= 1 &&
  d.month <= 12 &&
  d.day >= 1 &&
  new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDate() === d.day &&
  d.year >= 1000 &&
  d.year <= 9999;

/** A date alone: "2026-12-05", "05/12/2026" (in the order), "5.12.2026", "5 Dec 2026", "December 5, 2026". */
export function readDate(text: string, order: DateOrder): Read<CalendarDate> {
  const t = text.trim().replace(/\s+/g, ' ');
  const fail = (): Read<CalendarDate> => ({
    ok: false,
    message: `Write a date such as ${exampleOf(order, false)} (${ORDER_WORDS[order]}) or 2026-12-05`,
  });
  let d: CalendarDate | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) d = { year: +m[1]!, month: +m[2]!, day: +m[3]! };
  else if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$/.exec(t))) {
    if (m[3]!.length !== 4) return { ok: false, message: 'Write the year in full, e.g. 2026' };
    const [a, b] = [+m[1]!, +m[2]!];
    d = order === 'mdy' ? { year: +m[3]!, month: a, day: b } : { year: +m[3]!, month: b, day: a };
  } else if ((m = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+\.?),? (\d{4})$/.exec(t))) {
    const month = monthNamed(m[2]!);
    if (month) d = { year: +m[3]!, month, day: +m[1]! };
  } else if ((m = /^([A-Za-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(t))) {
    const month = monthNamed(m[1]!);
    if (month) d = { year: +m[3]!, month, day: +m[2]! };
  }
  if (!d) return fail();
  if (!realDate(d)) return { ok: false, message: `${text.trim()} is not a real date` };
  return { ok: true, value: d };
}

/** A time of day: "18:00", "18.00", "6pm", "6:30 pm", "18:00:00". */
function readClock(text: string): { hour: number; minute: number } | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2})(?::\d{2}(?:\.\d+)?)?)? ?([ap]\.?m\.?)?$/i.exec(text.trim());
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? '0');
  const half = m[3]?.toLowerCase().replace(/\./g, '');
  if (half) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  } else if (m[2] === undefined) return undefined; // "18" alone is not clearly a time
  if (hour > 23 || minute > 59) return undefined;
  return { hour, minute };
}

/** A date and a time, in any form readDate reads, then the time ("T" or a space, or ", " between). */
export function readDateTime(text: string, order: DateOrder): Read<WallTime> {
  const t = text.trim().replace(/\s+/g, ' ');
  const fail = (message?: string): Read<WallTime> => ({
    ok: false,
    message:
      message ?? `Write a date and a time such as ${exampleOf(order)} (${ORDER_WORDS[order]}) or 2026-12-05 18:00`,
  });
  if (!t) return fail();
  const iso = /^(\d{4}-\d{1,2}-\d{1,2})T(.+)$/.exec(t);
  // The time is at the end: try each split from the right ("December 5, 2026 6:30 pm").
  const candidates: Array<[string, string]> = iso ? [[iso[1]!, iso[2]!]] : [];
  if (!iso) {
    const words = t.split(/ |, ?/);
    for (let k = words.length - 1; k > 0; k--) {
      candidates.push([
        t.slice(0, t.length - words.slice(k).join(' ').length).replace(/[ ,]+$/, ''),
        words.slice(k).join(' '),
      ]);
    }
  }
  for (const [datePart, timePart] of candidates) {
    const clock = readClock(timePart);
    if (!clock) continue;
    const date = readDate(datePart, order);
    if (!date.ok) return fail(date.message.startsWith('Write a date such') ? undefined : date.message);
    return { ok: true, value: { ...date.value, ...clock } };
  }
  if (readDate(t, order).ok) return fail(`Add the time, e.g. ${t} 18:00`);
  return fail();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A date as ISO 8601: "2026-12-05". */
export const isoDate = (d: CalendarDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
