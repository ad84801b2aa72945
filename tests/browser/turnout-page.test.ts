import { ballotTimes, Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP } from '../support/browser';
import { scaled } from '../support/machine';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { recordTurnoutSnapshot } from '../../src/services/results';
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * Issue 15's two chart fixes as an organiser sees them in Chromium: the turnout chart's times in
 * the ballot's own zone (not UTC), and a pooled unit's long label wrapped, every branch named and
 * none cut off at the chart's edge. Leeds has 12 members; five branches of one member each are
 * pooled for secrecy (with Leeds, as five voters alone would be under k = 10).
 */
jest.setTimeout(scaled(180_000));

const EMAIL = 'zoe.zone@example.org';
const SMALL = ['Aberdeen', 'Bristol', 'Cardiff', 'Dundee', 'Exeter'];
const { app, browser } = browserAndAppPerFile();

test("the turnout page: times in the ballot's zone, the pooled label whole", async () => {
  const org = await setUpOrganisation(app(), 'Zone Union', EMAIL);
  const rows = [
    ...Array.from({ length: 12 }, (_, i) => `l${i}@example.org,Leeds ${i},Leeds`),
    ...SMALL.map((b, i) => `s${i}@example.org,${b} member,${b}`),
  ];
  const imported = await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  expect(imported.status).toBe(200);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Zones',
    ...ballotTimes(),
    timeZone: 'America/New_York',
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const questionId = (created.body.questions as Array<{ id: string }>)[0]!.id;
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`)).status).toBe(200);

  // The chart needs two minutes' counts: an hour ago nobody had voted (written as the scheduler
  // writes its minute's count); the count after everyone votes is taken by the scheduler's own function.
  await app()
    .db.insertInto('turnout_history')
    .values({ ballot_id: id, at: new Date(Date.now() - 3_600_000), voted: 0 })
    .execute();
  const tokens = await app()
    .db.selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', id)
    .execute();
  for (const t of tokens) {
    const r = await new Client(app().url).json('POST', '/api/v1/vote', {
      token: app().ctx.keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [questionId]: { kind: 'choice', option: 0 } },
    });
    expect(r.status).toBe(201);
  }
  await recordTurnoutSnapshot(app().ctx);
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);

  const context = await axeContext(browser(), DESKTOP);
  try {
    const page = await signedInPage(app(), context, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/turnout`);
    const svgs = page.locator('main svg');
    const text = (await svgs.allTextContents()).join(' ');
    // The time axis and points say the ballot's zone; nothing on the chart is in UTC.
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT-5 \(America\/New_York\)/);
    expect(text).not.toContain('UTC');
    // The pooled unit's label names every branch, and each of its lines lies inside its chart.
    for (const b of SMALL) expect(text).toContain(b);
    const lines = page.locator('main svg text').filter({ hasText: /Aberdeen|Exeter/ });
    const inside: boolean[] = [];
    for (const line of await lines.all()) {
      const box = (await line.boundingBox())!;
      const chart = (await line.locator('xpath=ancestor::*[local-name()="svg"][1]').boundingBox())!;
      inside.push(box.x >= chart.x - 0.5 && box.x + box.width <= chart.x + chart.width + 0.5);
    }
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every(Boolean)).toBe(true);
    expect(describeViolations('turnout page', await axeViolations(page))).toBe('');
  } finally {
    await context.close();
  }
});
