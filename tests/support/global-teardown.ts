import fs from 'node:fs/promises';
import type { EmbeddedServer } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as Record<string, unknown>;
  const container = state.__omovTestContainer as { stop(): Promise<unknown> } | undefined;
  if (container) await container.stop();
  const embedded = state.__omovTestPg as { server: EmbeddedServer; base: string } | undefined;
  if (!embedded) return;
  await embedded.server.stop();
  await fs.rm(embedded.base, { recursive: true, force: true });
}
