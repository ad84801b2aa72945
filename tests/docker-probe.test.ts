import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { dockerEngineAnswers } from './support/docker';

/** The probe that decides whether the tests use testcontainers: a real HTTP server on a unix socket. */
describe('dockerEngineAnswers', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  test('an engine answering /_ping with 200 counts; a missing socket or another answer does not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-docker-'));
    const socketPath = path.join(dir, 'docker.sock');
    let status = 200;
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/_ping' ? status : 404;
      res.end('OK');
    });
    await new Promise<void>((r) => server.listen(socketPath, () => r()));
    try {
      process.env.DOCKER_HOST = `unix://${socketPath}`;
      expect(await dockerEngineAnswers()).toBe(true);
      status = 500;
      expect(await dockerEngineAnswers()).toBe(false);
      process.env.DOCKER_HOST = `unix://${path.join(dir, 'nothing.sock')}`;
      expect(await dockerEngineAnswers()).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
