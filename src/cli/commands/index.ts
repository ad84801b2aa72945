import type { Command } from 'commander';

/** Each CLI command lives in its own module and registers itself here. */
export type CommandModule = { register(program: Command): void };

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module loads only when it runs: `omov tally` never loads the web server */
export const commandModules: Array<() => CommandModule> = [
  () => require('./serve') as CommandModule,
  () => require('./migrate') as CommandModule,
  () => require('./tally') as CommandModule,
  () => require('./demo') as CommandModule,
  () => require('./apportion') as CommandModule,
  () => require('./conference') as CommandModule,
  () => require('./power') as CommandModule,
  () => require('./export') as CommandModule,
  () => require('./verify') as CommandModule,
  () => require('./trustee') as CommandModule,
  () => require('./credentials') as CommandModule,
  () => require('./vote') as CommandModule,
];
