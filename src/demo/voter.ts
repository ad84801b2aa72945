import type { PlannedAnswer } from './plan';

/**
 * A member voting through the HTML pages, as a browser without JavaScript would: open the
 * link, fill in the form, review, cast. The csrf field is taken from the page.
 */

export class VotingFailed extends Error {
  constructor(step: string, status: number, body: string) {
    const text = body
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
    super(`${step}: HTTP ${status}: ${text}`);
    this.name = 'VotingFailed';
  }
}

async function post(url: string, fields: Array<[string, string]>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, text: await res.text() };
}

/** The value of the form's csrf field, read from the page. */
export function csrfField(page: string): string | undefined {
  return /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page)?.[1];
}

/** Votes with `answers[i]` for the question at position i; returns the receipt code. */
export async function voteByLink(url: string, answers: PlannedAnswer[]): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const page = await res.text();
  if (res.status !== 200) throw new VotingFailed('opening the voting link', res.status, page);
  const csrf = csrfField(page);
  if (!csrf) throw new VotingFailed('reading the ballot paper (no csrf field)', res.status, page);
  const fields: Array<[string, string]> = [['csrf', csrf]];
  answers.forEach((a, i) => {
    // A ranking is a number box per option ("q_2_0" = 1 for first preference); a choice is the question's radio.
    const name = Array.isArray(a) ? `q_${i}_0` : `q_${i}`;
    if (!page.includes(`name="${name}"`))
      throw new VotingFailed(`reading the ballot paper (no question ${i + 1})`, res.status, page);
    if (Array.isArray(a)) a.forEach((o, rank) => fields.push([`q_${i}_${o}`, String(rank + 1)]));
    else fields.push([`q_${i}`, String(a)]);
  });
  const review = await post(url, [...fields, ['step', 'review']]);
  if (review.status !== 200 || !review.text.includes('name="step" value="cast"'))
    throw new VotingFailed('reviewing the vote', review.status, review.text);
  const cast = await post(url, [...fields, ['step', 'cast']]);
  const receipt = /class="receipt">([^<]+)</.exec(cast.text)?.[1];
  if (cast.status !== 201 || !receipt) throw new VotingFailed('casting the vote', cast.status, cast.text);
  return receipt;
}
