#!/usr/bin/env node
import { Command, commandHelp, parseCommandLine } from './command';
import { LacunaError } from '../util/errors';

export type { Command } from './command';

/** Command name → module under ./commands exporting `command: Command`. Loaded lazily. */
const COMMANDS: Record<string, string> = {
  engine: './commands/engine',
  data: './commands/data',
  classify: './commands/classify',
  grid: './commands/grid',
  yamnet: './commands/yamnet',
  embed: './commands/embed',
  reconstruct: './commands/reconstruct',
  study: './commands/study',
  notebooks: './commands/notebooks',
  demo: './commands/demo',
  tune: './commands/tune',
  worker: './commands/worker',
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export function loadCommand(name: string): Command | undefined {
  const mod = COMMANDS[name];
  if (!mod) return undefined;
  try {
    return (require(mod) as { command: Command }).command;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String(err).includes(mod.slice(2))) return undefined;
    throw err;
  }
}

function help(): string {
  const lines = ['lacuna — sound classification in the presence of missing samples', '', 'Commands:'];
  for (const name of COMMAND_NAMES) {
    const c = loadCommand(name);
    if (c) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push('', 'Run `lacuna <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  const command = loadCommand(name);
  if (!command) {
    console.error(`lacuna: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  // Help whatever else is on the line (a user asking for it may be unsure of the rest).
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  // Checked before the command starts, so a typo never runs anything on other settings than meant.
  const flags = parseCommandLine(name, command, rest);
  return (await command.run(flags)) ?? 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof LacunaError) {
        console.error(`lacuna: ${err.message}`);
        process.exit(1);
      }
      console.error(err);
      process.exit(1);
    },
  );
}
