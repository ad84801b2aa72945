/**
 * Sending at the speed of the mail path (issue 17): a ballot's invitations sent by the real
 * mail worker through omov's pooled SMTP mailer, against nodemailer's own pooled transport
 * sending messages of the same size to the same sink, in the same run.
 *
 *   npm run bench:send                                 # 20,000 members, 4 connections
 *   npm run bench:send -- --members 100000 --connections 4
 *   npm run bench:send -- --profile DIR                # the send's CPU profile, this thread
 *
 * The roll is imported and the ballot opened through the API (not timed). Then: nodemailer
 * to the sink, omov's worker draining the outbox to the sink, nodemailer again; the ratio
 * is omov's rate over the mean of the two nodemailer runs (the machine's load drifts). The
 * sink runs in a thread of its own, so that neither sender shares an event loop with it.
 * Checked at the end: every invitation marked sent, and the sink received each exactly once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import * as outbox from '../src/data/outbox';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { smtpMailer } from '../src/mail/transport';
import { freePort } from '../src/platform/net';
import { MailWorker } from '../src/processes/mail-worker';
import { createApiToken } from '../src/services/auth';
import { composeMessage } from '../src/services/invitations';
import type { SinkJob } from './support/smtp-sink';
import { benchOrganisation, runBench, startBenchServer } from './support/server';

function options() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', short: 'n' },
      connections: { type: 'string', short: 'c' },
      'per-connection': { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const members = Number(values.members ?? process.env.BENCH_MEMBERS ?? 20_000);
  const connections = Number(values.connections ?? 4);
  const perConnection = Number(values['per-connection'] ?? 1000);
  if (!Number.isSafeInteger(members) || members < 100) throw new Error('--members must be a whole number ≥ 100');
  if (!Number.isSafeInteger(connections) || connections < 1) throw new Error('--connections must be ≥ 1');
  if (!Number.isSafeInteger(perConnection) || perConnection < 1) throw new Error('--per-connection must be ≥ 1');
  return { members, connections, perConnection, profile: values.profile ? path.resolve(values.profile) : undefined };
}

async function startSink() {
  const counter = new SharedArrayBuffer(4);
  const port = await freePort();
  const w = new Worker(path.join(__dirname, 'support', 'smtp-sink.js'), {
    workerData: { port, counter } satisfies SinkJob,
  });
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  const received = new Int32Array(counter);
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received: () => Atomics.load(received, 0),
    close: () =>
      new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage('close');
      }),
  };
}

/** The CPU profile of this thread (the sender's) from now until `stop`, written to `dir`. */
async function startProfile() {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(dir: string): Promise<string> {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `send-${Date.now()}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/** Resolves once `done()` holds, looking every 20 ms (the rate is measured to that moment). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

async function main(): Promise<number> {
  const { members, connections, perConnection, profile } = options();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const sink = await startSink();
  const server = await startBenchServer('send');
  const ctx = server.running.ctx;
  try {
    out(
      `bench:send  ${members.toLocaleString('en')} invitations, ${connections} SMTP connections (${perConnection} messages each before renewal), ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const p = await benchOrganisation(server);
    const api = (await createApiToken(ctx, p, 'bench')).token;
    const call = async (method: string, url: string, body: string, type = 'application/json') => {
      const res = await fetch(`${server.running.url}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${api}`, 'content-type': type },
        body,
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as unknown;
    };
    const csv = rollCsv(makeRoll({ members, branches: 60, seed: 'send', emailDomain: 'bench.example.org' }));
    await call('POST', '/roll/import', csv, 'text/csv');
    const now = Date.now();
    const ballot = (await call(
      'POST',
      '/ballots',
      JSON.stringify({
        title: 'Send ballot',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 86_400_000).toISOString(),
        questions: [
          { title: 'Adopt the motion?', method: 'yesno' },
          { title: 'Choose one', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] },
        ],
      }),
    )) as { id: string };
    await call('POST', `/ballots/${ballot.id}/open`, '{}');

    // One invitation as omov writes it, for nodemailer to send copies of (a fresh link each).
    const [one] = await outbox.claimDue(ctx.db, 1, 60);
    const model = composeMessage(ctx, one!);
    await outbox.releaseClaims(ctx.db, [one!.id]);
    const link = /https?:\/\/\S+\/v\/[A-Za-z0-9_-]+/.exec(model.text)?.[0] ?? '';
    const from = server.config.mailFrom;

    const sample = Math.min(members, 20_000);
    const ceiling = async (label: string) => {
      const transport = nodemailer.createTransport({
        pool: true,
        maxConnections: connections,
        maxMessages: perConnection,
        host: '127.0.0.1',
        port: sink.port,
      });
      const before = sink.received();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: connections * 2 }, async () => {
          while (next < sample) {
            const i = next++;
            const fresh = link
              ? `${link.slice(0, link.lastIndexOf('/'))}/${crypto.randomBytes(32).toString('base64url')}`
              : '';
            await transport.sendMail({
              from,
              to: `member${i}@bench.example.org`,
              subject: model.subject,
              text: link ? model.text.replaceAll(link, fresh) : model.text,
              html: link ? model.html.replaceAll(link, fresh) : model.html,
              messageId: `<${crypto.randomUUID()}@vote.example.org>`,
            });
          }
        }),
      );
      await until(() => sink.received() - before >= sample);
      const ms = performance.now() - t0;
      transport.close();
      const rate = (sample / ms) * 1000;
      out(`  ${label}: ${sample.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s = ${Math.round(rate)}/s`);
      return rate;
    };

    const first = await ceiling('nodemailer to the sink (before)');

    const mailer = smtpMailer(sink.url, from, { connections, messagesPerConnection: perConnection, ratePerSecond: 0 });
    const worker = new MailWorker(ctx, mailer);
    const profiler = profile ? await startProfile() : undefined;
    const before = sink.received();
    const t0 = performance.now();
    let handled = 0;
    while (sink.received() - before < members) {
      const n = await worker.drain();
      handled += n;
      if (!n) await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    if (profiler) out(`  CPU profile of the send (this thread): ${await profiler.stop(profile!)}`);
    await worker.stop();
    mailer.close();
    const omov = (members / ms) * 1000;
    out(
      `  omov's mail worker: ${members.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s = ${Math.round(omov)}/s (${handled} handled)`,
    );

    const second = await ceiling('nodemailer to the sink (after)');
    const ceilingRate = (first + second) / 2;
    out('');
    out(
      `sending: omov ${Math.round(omov)}/s, nodemailer ${Math.round(ceilingRate)}/s (mean of ${Math.round(first)} and ${Math.round(second)}): ${((100 * omov) / ceilingRate).toFixed(0)}% (goal ≥ 80%); load average ${os.loadavg()[0]!.toFixed(1)}`,
    );

    const progress = (await outbox.progress(ctx.db, ballot.id)).invitation;
    const delivered = sink.received() - 2 * sample;
    const pass = progress?.sent === members && delivered === members;
    out(
      `check: ${progress?.sent ?? 0} invitations marked sent, ${delivered} received by the sink, of ${members}: ${pass ? 'OK' : 'FAILED'}`,
    );
    return pass ? 0 : 1;
  } finally {
    await server.stop();
    await sink.close();
  }
}

runBench('send', main);
