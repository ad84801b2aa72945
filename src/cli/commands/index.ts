import type { Command } from 'commander';

/** Each CLI command lives in its own module and registers itself here. */
export type CommandModule = { register(program: Command): void };

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module loads only when it runs: `omov tally` never loads the web server */
/** Each module with the top-level commands it registers (main.ts loads only the one named, or all for help). */
export const commandModules: Array<{ readonly names: ReadonlyArray<string>; readonly load: () => CommandModule }> = [
  { names: ['serve', 'setup-link'], load: () => require('./serve') as CommandModule },
  { names: ['migrate'], load: () => require('./migrate') as CommandModule },
  { names: ['tally'], load: () => require('./tally') as CommandModule },
  { names: ['demo'], load: () => require('./demo') as CommandModule },
  { names: ['apportion'], load: () => require('./apportion') as CommandModule },
  { names: ['conference'], load: () => require('./conference') as CommandModule },
  { names: ['power'], load: () => require('./power') as CommandModule },
  { names: ['export'], load: () => require('./export') as CommandModule },
  { names: ['verify'], load: () => require('./verify') as CommandModule },
  { names: ['trustee'], load: () => require('./trustee') as CommandModule },
  { names: ['credentials'], load: () => require('./credentials') as CommandModule },
  { names: ['vote', 'verify-ballot-audit'], load: () => require('./vote') as CommandModule },
];
