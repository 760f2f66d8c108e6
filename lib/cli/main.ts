#!/usr/bin/env node
import { Flags, flagsInUsage, parseArgs, unknownFlags } from './args';
import { renamedFlagHint } from './dataset-flags';
import { LacunaError, ParameterError } from '../util/errors';

/** A subcommand: `run` gets the flags after the command name and returns an exit code. */
export interface Command {
  summary: string;
  /** The --help text. Every `--flag` it mentions is an option the command accepts; any other is an error. */
  usage: string;
  run(flags: Flags): Promise<number | void>;
}

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

function loadCommand(name: string): Command | undefined {
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
  for (const name of Object.keys(COMMANDS)) {
    const c = loadCommand(name);
    if (c) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push('', 'Run `lacuna <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log(help());
    return 0;
  }
  const command = loadCommand(name);
  if (!command) {
    console.error(`lacuna: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const parsed = parseArgs(rest);
  const accepted = flagsInUsage(command.usage);
  const flags = new Flags(parsed, accepted);
  if (flags.bool('help')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  // Checked before the command starts, so a typo never runs anything on other settings than meant.
  const unknown = unknownFlags(parsed, accepted);
  if (unknown.length) {
    const hints = unknown.map((u) => renamedFlagHint(u, accepted)).filter(Boolean).join('; ');
    throw new ParameterError(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => '--' + u).join(', ')} for lacuna ${name}` +
      `${hints ? ` (${hints})` : ''}; see \`lacuna ${name} --help\``);
  }
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
