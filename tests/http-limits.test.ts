import http from 'node:http';
import net from 'node:net';
import { startTestApp, type TestApp } from './support/app';

/** Requests refused before any route sees them get a clean answer, not a reset connection. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a 100 KB URL gets 414', async () => {
  const r = await get(`/v/${'a'.repeat(100_000)}`);
  expect(r).toEqual({ status: 414, body: 'URI Too Long\n' });
});

test('100 KB of headers get 431', async () => {
  const r = await get('/healthz', { 'x-padding': 'b'.repeat(100_000) });
  expect(r).toEqual({ status: 431, body: 'Request Header Fields Too Large\n' });
});

test('bytes that are not HTTP get 400, and the server answers as before', async () => {
  const { port } = new URL(app.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => s.write('\u0001\u0002 nonsense\r\n\r\n'));
    let got = '';
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect((await get('/healthz')).status).toBe(200);
});
