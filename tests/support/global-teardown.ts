import fs from 'node:fs/promises';
import type { EmbeddedServer } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__omovTestPg as { server: EmbeddedServer; base: string } | undefined;
  if (!state) return;
  await state.server.stop();
  await fs.rm(state.base, { recursive: true, force: true });
}
