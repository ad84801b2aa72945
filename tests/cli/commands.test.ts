import { Command } from 'commander';
import { commandModules } from '../../src/cli/commands/index';
import { buildProgram } from '../../src/cli/main';

/** main.ts loads only the module of the command named: each module's list must be the commands it registers. */
test('each command module lists exactly the top-level commands it registers', () => {
  for (const m of commandModules) {
    const program = new Command();
    m.load().register(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...m.names].sort());
  }
});

test('the program has every command without arguments (help), and only the one named with them', () => {
  const all = commandModules.flatMap((m) => m.names).sort();
  expect(
    buildProgram()
      .commands.map((c) => c.name())
      .sort(),
  ).toEqual(all);
  expect(buildProgram(['verify', 'x.bel']).commands.map((c) => c.name())).toEqual(['verify']);
  expect(
    buildProgram(['verify-ballot-audit'])
      .commands.map((c) => c.name())
      .sort(),
  ).toEqual(['verify-ballot-audit', 'vote']);
  expect(buildProgram(['no-such-command']).commands.length).toBe(all.length);
});
