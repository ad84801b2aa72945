import fs from 'node:fs/promises';
import type { EmbeddedServer } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as Record<string, unknown>;
  try {
    const container = state.__omovTestContainer as { stop(): Promise<unknown> } | undefined;
    if (container) await container.stop();
    const embedded = state.__omovTestPg as { server: EmbeddedServer; base: string } | undefined;
    if (embedded) {
      await embedded.server.stop();
      await fs.rm(embedded.base, { recursive: true, force: true });
    }
  } finally {
    // Last, after jest's summary: how long the whole run took, on a machine how busy.
    const started = state.__omovSuiteStarted as number | undefined;
    if (started !== undefined) {
      const s = Math.round((Date.now() - started) / 1000);
      console.log(
        `The tests took ${Math.floor(s / 60)} min ${s % 60} s (time scale ${process.env.OMOV_TIME_SCALE ?? process.env.OMOV_MEASURED_TIME_SCALE} at the start).`,
      );
    }
  }
}
