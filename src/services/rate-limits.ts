import * as limits from '../data/rate-limits';
import type { AppContext } from './context';
import { ServiceError } from './errors';

/**
 * Rate limits kept in PostgreSQL, so that they hold across instances. Keys are MACs of
 * what they count (an address, an email), so the table holds no personal data.
 */
export const LIMITS = {
  signInPerAddress: { max: 30, windowSeconds: 600 },
  signInPerEmail: { max: 10, windowSeconds: 600 },
  linkRequestPerAddress: { max: 10, windowSeconds: 3600 },
  linkRequestPerEmail: { max: 3, windowSeconds: 3600 },
  resetRequestPerAddress: { max: 10, windowSeconds: 3600 },
  resetRequestPerEmail: { max: 3, windowSeconds: 3600 },
  /** Unknown or malformed voting links: someone guessing. */
  badLinkPerAddress: { max: 60, windowSeconds: 600 },
  /** Nominating a member by their address: each try tells whether the address is a member's. */
  nominateByAddressPerNominator: { max: 20, windowSeconds: 3600 },
  /** "Report a problem": a member has something to say, not a stream of it. */
  problemReportPerAddress: { max: 5, windowSeconds: 3600 },
  /** And the ballot's auditors are not flooded, whatever the number of addresses. */
  problemReportPerBallot: { max: 100, windowSeconds: 3600 },
} as const;

export type LimitName = keyof typeof LIMITS;

export class RateLimited extends ServiceError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `too many attempts; try again in ${retryAfterSeconds} seconds`,
  ) {
    super('rate-limited', message);
    this.name = 'RateLimited';
  }
}

/** Counts one attempt; throws RateLimited when the limit is passed. */
export async function consume(ctx: AppContext, name: LimitName, subject: string): Promise<void> {
  const { max, windowSeconds } = LIMITS[name];
  const key = `${name}:${ctx.keys.mac('rate-limit', subject.toLowerCase())}`;
  const r = await limits.hit(ctx.db, key, windowSeconds);
  if (r.hits > max) throw new RateLimited(r.resetsInSeconds);
}
