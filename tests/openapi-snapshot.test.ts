import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestApp, type TestApp } from './support/app';

/**
 * The API's OpenAPI document is committed as docs/openapi.json, so a change to the API's
 * routes or schemas shows in review. This test fails when the live document differs from
 * the file; `npm run openapi:update` rewrites the file from the live document (this test
 * with OPENAPI_UPDATE=1), to be committed with the change that caused it.
 */

const FILE = path.join(__dirname, '..', 'docs', 'openapi.json');
/** The server named in the file: the default PUBLIC_URL, not the test's port. */
const SERVER_URL = 'http://localhost:3000';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where two JSON values differ, as "path: what" lines. */
function differences(committed: Json | undefined, live: Json | undefined, at = '$'): string[] {
  if (JSON.stringify(committed) === JSON.stringify(live)) return [];
  if (committed === undefined) return [`${at}: new in the live document: ${JSON.stringify(live)}`];
  if (live === undefined) return [`${at}: gone from the live document (the file has ${JSON.stringify(committed)})`];
  const isObject = (v: Json) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(committed) && isObject(live)) {
    const a = committed as Record<string, Json>;
    const b = live as Record<string, Json>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], `${at}.${k}`));
  }
  if (Array.isArray(committed) && Array.isArray(live)) {
    const n = Math.max(committed.length, live.length);
    return Array.from({ length: n }, (_, i) => differences(committed[i], live[i], `${at}[${i}]`)).flat();
  }
  return [`${at}: the file has ${JSON.stringify(committed)}, the live document ${JSON.stringify(live)}`];
}

test('the live OpenAPI document is the committed docs/openapi.json', async () => {
  const res = await fetch(`${app.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const live = { ...((await res.json()) as Record<string, Json>), servers: [{ url: SERVER_URL }] };
  if (process.env.OPENAPI_UPDATE === '1') {
    await fs.writeFile(FILE, `${JSON.stringify(live, null, 2)}\n`);
    return;
  }
  const committed = JSON.parse(await fs.readFile(FILE, 'utf8').catch(() => 'null')) as Json;
  const diff = differences(committed, live);
  if (diff.length) {
    const shown = diff.slice(0, 40);
    throw new Error(
      `The API's OpenAPI document differs from docs/openapi.json in ${diff.length} place(s):\n` +
        `${shown.map((d) => `  ${d.length > 300 ? `${d.slice(0, 300)}…` : d}`).join('\n')}` +
        `${diff.length > shown.length ? `\n  … and ${diff.length - shown.length} more` : ''}\n` +
        'If the change is meant, run `npm run openapi:update` and commit docs/openapi.json with it.',
    );
  }
});
