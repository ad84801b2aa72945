import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type z } from 'zod';
import { type AnyMethod, fieldStart, METHOD_LIST } from '@omov/core/methods/index';
import { verifyRecord } from '@omov/core/record/verify';
import { answerProblem, type Question, StoredQuestionError } from '@omov/core/domain/ballot';
import { renderText } from '@omov/core/tally/text';
import { runTally } from '../src/cli/commands/tally';
import { answersFromForm, type FormValues } from '../src/http/pages/voting/form';
import { questionSection } from '../src/http/pages/organiser/results';
import * as ballots from '../src/data/ballots';
import { tokensOf } from './support/integrity';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

/**
 * Every counting method through every layer, read from its descriptor alone: the builder
 * shows its fields, the API takes its defaults and gives its settings back typed, the
 * paper shows its inputs, a vote made on the page comes back through the form parser and
 * the answer check, the count runs (server, record verifier, `omov tally`) and the results
 * page shows it. A new method's descriptor is covered here with no new test code.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const OPTIONS = ['Ann', 'Bob', 'Cat'];
const d = (name: string) => METHOD_LIST.find((m) => m.name === name)! as AnyMethod;
const names = METHOD_LIST.map((m) => m.name);
const escaped = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** What the builder would save: each field's start, or where that is blank and the setting needed, its least value. */
function sampleSettings(m: AnyMethod): Record<string, unknown> {
  const shape = m.settings.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const f of m.fields) {
    const start = fieldStart(m, f.key);
    if (start !== '') out[f.key] = f.input === 'whole' ? Number(start) : start;
    else if (!shape[f.key]!.safeParse(undefined).success)
      out[f.key] = f.input === 'whole' ? (f.min ?? 1) : f.input === 'choice' ? f.choices[0]![0] : '1/2';
  }
  return out;
}

/** A valid paper for the question, as the voting form posts it: the first option chosen, marked, ranked or scored. */
function paperFor(q: Question): FormValues {
  const m = d(q.method);
  const limits = m.limits(q.settings, q.options.length);
  const p = q.position;
  switch (m.answer) {
    case 'choice':
    case 'marks':
      return { [`q_${p}`]: '0' };
    case 'ranking':
      return { [`q_${p}_0`]: '1', [`q_${p}_1`]: '2' };
    case 'scores':
      return { [`q_${p}_0`]: String(limits.score), [`q_${p}_1`]: '0' };
  }
}

let app: TestApp;
let org: Client;
let ballotId: string;
let questions: Question[];

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Methods Union');
  const roll = 'email,name,branch\na@example.org,A,North\nb@example.org,B,North\nc@example.org,C,South\n';
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
});
afterAll(async () => {
  await app?.close();
});

describe.each(names)('the builder, for %s', (name) => {
  test('shows its hint and each of its fields, prefilled where the descriptor says', async () => {
    const m = d(name);
    const page = await (await org.request('GET', '/ballots/new')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const r = await org.form('/ballots/new', [
      ['csrf', csrf],
      ['questions', '1'],
      ['q0_title', 'Which?'],
      ['q0_method', name],
      ['do', 'method:0'],
    ]);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<option value="${name}" selected>`);
    expect(r.text).toContain(escaped(m.labels.hint));
    for (const f of m.fields) {
      expect(r.text).toContain(`id="q0_${f.key}"`);
      const start = fieldStart(m, f.key);
      if (f.input === 'choice') expect(r.text).toMatch(new RegExp(`<option value="${start}" selected>`));
      else if (f.input === 'lines')
        expect(r.text).toMatch(new RegExp(`<textarea id="q0_${f.key}" name="q0_${f.key}"[^>]*>${start}</textarea>`));
      else expect(r.text).toMatch(new RegExp(`id="q0_${f.key}" name="q0_${f.key}" type="[a-z]+" value="${start}"`));
    }
    expect(r.text.includes('id="q0_o0_label"')).toBe(!m.motion);
  });
});

describe('every method in one ballot', () => {
  test('the API takes its defaults and gives the settings back parsed, typed by the method', async () => {
    const made = await org.json('POST', '/api/v1/ballots', {
      title: 'Every method',
      ...ballotTimes(),
      k: 1,
      delegates: null,
      questions: METHOD_LIST.map((m) => {
        const sample = sampleSettings(m as AnyMethod);
        return {
          title: `By ${m.name}`,
          method: m.name,
          // Where every setting has a default, the question needs none: the defaults apply.
          ...(Object.keys(sample).length && !m.settings.safeParse({}).success ? { settings: sample } : {}),
          ...(m.motion ? {} : { options: OPTIONS.map((label) => ({ label })) }),
        };
      }),
    });
    expect(made.status).toBe(201);
    ballotId = made.body.id;
    const got = (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body;
    got.questions.forEach((q: { method: string; settings: unknown }, i: number) => {
      const m = d(names[i]!);
      expect(q.method).toBe(m.name);
      expect(q.settings).toEqual(m.settings.parse(m.settings.safeParse({}).success ? {} : sampleSettings(m)));
    });
    questions = await ballots.listQuestions(app.db, ballotId);
    expect(questions.map((q) => q.method)).toEqual(names);
  });

  test('the paper shows each question with its answer kind and an input per option', async () => {
    const page = await (await org.request('GET', `/ballots/${ballotId}/preview/paper`)).text();
    for (const q of questions) {
      expect(page).toContain(`<fieldset id="q_${q.position}" data-kind="${d(q.method).answer}"`);
      for (const [i] of q.options.entries()) expect(page).toContain(`id="q_${q.position}_${i}"`);
    }
  });

  test('a paper filled in on the page comes back from the form parser as a valid answer of its kind', () => {
    for (const q of questions) {
      const { answers, problems } = answersFromForm([q], paperFor(q));
      expect(problems.size).toBe(0);
      expect(answers[q.id]!.kind).toBe(d(q.method).answer);
      expect(answerProblem(q, answers[q.id]!)).toBeNull();
    }
  });

  test('votes cast on the voting page are counted by each method; the record verifies; the results page shows them', async () => {
    expect((await org.json('POST', `/api/v1/ballots/${ballotId}/open`)).status).toBe(200);
    const form = Object.assign({}, ...questions.map(paperFor)) as Record<string, string>;
    for (const { token } of await tokensOf(app.db, ballotId, SECRET)) {
      const voter = new Client(app.url);
      const page = await (await voter.request('GET', `/v/${token}`)).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
      const done = await voter.form(`/v/${token}`, [['csrf', csrf], ['step', 'cast'], ...Object.entries(form)]);
      expect(done.status).toBe(201);
    }
    expect((await org.json('POST', `/api/v1/ballots/${ballotId}/close`)).status).toBe(204);
    const results = (await org.json('GET', `/api/v1/ballots/${ballotId}/results`)).body;
    results.questions.forEach((r: Parameters<typeof questionSection>[0], i: number) => {
      const q = questions[i]!;
      const m = d(q.method);
      expect(r.method).toBe(m.name);
      expect(r.count.method).toBe(m.name);
      expect(r.figure).toBe(m.labels.figure);
      expect(r.abstentions).toBe('0');
      if (m.motion) expect(typeof r.count.summary?.carried).toBe('boolean');
      else expect(r.elected).toHaveLength(m.seats(q.settings));
      expect(renderText(r.count)).toContain(`Method: ${m.labels.sheet}`);
      expect(questionSection(r, i + 1).value).toContain(escaped(m.labels.name));
    });
    const record = (await org.json('GET', `/api/v1/ballots/${ballotId}/record`)).body;
    const v = verifyRecord(record);
    expect(v.checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  });
});

test('a stored question whose settings no longer read is an error naming it, not a default', async () => {
  const made = await org.json('POST', '/api/v1/ballots', {
    title: 'Stored long ago',
    ...ballotTimes(),
    questions: [{ title: 'Rate them', method: 'score', options: OPTIONS.map((label) => ({ label })) }],
  });
  expect(made.status).toBe(201);
  const [q] = await ballots.listQuestions(app.db, made.body.id);
  expect(q!.settings).toEqual({ seats: 1, maxScore: 10 });
  await app.db
    .updateTable('questions')
    .set({ settings: JSON.stringify({ seats: 1, maxScore: 'ten' }) })
    .where('id', '=', q!.id)
    .execute();
  await expect(ballots.listQuestions(app.db, made.body.id)).rejects.toThrow(
    new StoredQuestionError(
      `question 1 ("Rate them", ${q!.id}): its score settings do not read: maxScore: Write a number`,
    ),
  );
});

describe.each(names)('omov tally, for %s', (name) => {
  test("counts a file of the method's ballots with its required flags", () => {
    const m = d(name);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-methods-'));
    const header = m.motion ? ['Yes', 'No'] : OPTIONS;
    const rows = m.answer === 'scores' ? ['3,1,0', '0,2,1'] : m.motion ? ['1,', ',1', '1,'] : ['1,2,3', '2,1,', '1,,'];
    const file = path.join(dir, 'ballots.csv');
    fs.writeFileSync(file, `${header.join(',')}\n${rows.join('\n')}\n`);
    const flags: Record<string, string> = { method: name, format: 'json' };
    for (const f of m.cli)
      if (f.required && typeof f.value === 'object' && 'choices' in f.value)
        flags[f.flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = f.value.choices[0]!;
    const r = JSON.parse(runTally(file, flags as unknown as Parameters<typeof runTally>[1]));
    expect(r.method).toBe(name);
    if (m.motion) expect(typeof r.summary.carried).toBe('boolean');
    else expect(r.elected).toHaveLength(1);
    fs.rmSync(dir, { recursive: true });
  });
});
