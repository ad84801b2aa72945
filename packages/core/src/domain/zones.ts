import { dateOrderOf, isoDate, readDateTime } from './dates';

/**
 * Times in the ballot builder: a date and time as typed ("2026-05-01T09:00", "01/05/2026 09:00") read as a
 * wall-clock time in a time zone the organiser picks, stored as ISO 8601 with the
 * zone's offset at that moment ("2026-05-01T09:00:00+01:00").
 */

let zones: string[] | undefined;

/** Every IANA zone this Node knows, UTC first. */
export function timeZones(): string[] {
  if (!zones) {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = ['UTC', ...all.filter((z) => z !== 'UTC')];
  }
  return zones;
}

/** The zone's own spelling ("europe/london" → "Europe/London"); call with a zone isTimeZone accepts. */
export function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
}

export function isTimeZone(zone: string): boolean {
  if (wallFormats.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/*
 * Making an Intl.DateTimeFormat costs far more than using one (profiles of opening a
 * ballot and of casting showed it as most of their CPU), so each zone's are made once.
 * Keyed by the zone's name as given; the zones are a few hundred at most.
 */
const wallFormats = new Map<string, Intl.DateTimeFormat>();
const nameFormats = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  zone: string,
  make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let f = cache.get(zone);
  if (!f) {
    f = make();
    cache.set(zone, f);
  }
  return f;
}

type Wall = { year: number; month: number; day: number; hour: number; minute: number };

function wallIn(zone: string, instant: number): Wall {
  const parts = cached(
    wallFormats,
    zone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }),
  ).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

const wallMs = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);

/** The zone's offset from UTC at an instant, in minutes (east positive). */
function offsetAt(zone: string, instant: number): number {
  const floored = Math.floor(instant / 60000) * 60000;
  return Math.round((wallMs(wallIn(zone, floored)) - floored) / 60000);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

function formatOffset(minutes: number): string {
  return `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

export type LocalTime = { ok: true; iso: string } | { ok: false; message: string };

/**
 * A wall-clock time in a zone as ISO with offset. A time the clocks skip (spring forward)
 * is refused; a time that happens twice (fall back) is the first of the two.
 */
export function localToIso(local: string, zone: string): LocalTime {
  if (!isTimeZone(zone)) return { ok: false, message: `"${zone}" is not a time zone` };
  // ISO, or the zone's own way of writing dates ("05/12/2026 18:00" in Europe/London).
  const read = readDateTime(local, dateOrderOf(zone));
  if (!read.ok) return { ok: false, message: read.message };
  const w: Wall = read.value;
  const wall = wallMs(w);
  // The offset before and after the wall time; the earlier offset gives the first instant.
  const candidates = [
    ...new Set([offsetAt(zone, wall - 36e5 * 24), offsetAt(zone, wall), offsetAt(zone, wall + 36e5 * 24)]),
  ]
    .map((off) => ({ off, instant: wall - off * 60000 }))
    .filter((c) => offsetAt(zone, c.instant) === c.off)
    .sort((a, b) => a.instant - b.instant);
  const first = candidates[0];
  const shown = `${isoDate(w)} ${pad(w.hour)}:${pad(w.minute)}`;
  if (!first) return { ok: false, message: `${shown} does not exist in ${zone} (the clocks go forward then)` };
  return { ok: true, iso: `${isoDate(w)}T${pad(w.hour)}:${pad(w.minute)}:00${formatOffset(first.off)}` };
}

/** An instant as the value of a datetime-local input in a zone. */
export function isoToLocal(instant: Date | string, zone: string): string {
  const t = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(t)) return '';
  const w = wallIn(isTimeZone(zone) ? zone : 'UTC', t);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** formatTime's answers, by instant and zone. */
const formatted = new Map<string, string>();

/**
 * A time as members and organisers read it, in the ballot's zone with the zone spelled
 * out: "2026-05-01 21:00 UTC", "2026-07-01 22:00 BST (Europe/London)".
 */
export function formatTime(instant: Date, zone = 'UTC'): string {
  // Pages show the same few times (a ballot's opening and closing) to every member: even
  // a reused format's formatToParts cost a receipt page more than the rest of its building.
  const key = `${instant.getTime()} ${zone}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = formatTimeAfresh(instant, zone);
    // Times come and go with ballots; keep the map from growing without bound.
    if (formatted.size >= 1000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

function formatTimeAfresh(instant: Date, zone: string): string {
  const z = isTimeZone(zone) ? zone : 'UTC';
  const local = isoToLocal(instant, z).replace('T', ' ');
  const short =
    cached(nameFormats, z, () => new Intl.DateTimeFormat('en-GB', { timeZone: z, timeZoneName: 'short' }))
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? z;
  return short === z ? `${local} ${z}` : `${local} ${short} (${z})`;
}
