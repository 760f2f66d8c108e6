/**
 * What a command is: its options declared as groups (its own, then shared ones such as the
 * dataset's), a synopsis and prose for the help, and `run`. main parses the command line against
 * the declaration before `run` starts, and prints the help from it.
 */
import { OptionGroup, OptionSpec, Options, RenamedFlag, optionMap, optionsHelp, parseOptions } from '../util/options';
import { RENAMED_FLAGS } from './flags/renamed';

/** What the help is printed from (a command, or a bench's command line). */
export interface CommandHelp {
  summary: string;
  /** The synopsis after "Usage: ", e.g. `lacuna yamnet FILE.wav|DIR... [options]`. */
  usage: string;
  /** Prose shown between the synopsis and the options (what it writes, how it resumes). */
  description?: string;
  /** Everything it accepts, in help order; `--help` is added by the grammar. */
  options: readonly OptionGroup[];
  /** Prose after the options (where results go). */
  notes?: string;
}

export interface Command extends CommandHelp {
  /** Whether it takes words besides options (files, notebook prefixes). */
  positionals?: boolean;
  run(flags: Options): Promise<number | void>;
}

export const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', help: 'this help (also -h)' };

/** The command's options plus --help, by name. */
export function commandOptions(command: Pick<CommandHelp, 'options'>): Map<string, OptionSpec> {
  return optionMap([...command.options, { title: 'Help', options: [HELP_OPTION] }]);
}

/** Parses the words after `lacuna <name>` against the command's declaration. */
export function parseCommandLine(
  name: string, command: Command, argv: readonly string[], renamed: readonly RenamedFlag[] = RENAMED_FLAGS,
): Options {
  return parseOptions(argv, commandOptions(command), {
    command: `lacuna ${name}`, positionals: command.positionals, renamed, seeAlso: `; see \`lacuna ${name} --help\``,
  });
}

/** `lacuna <name> --help`, generated from the declaration. */
export function commandHelp(command: CommandHelp): string {
  const parts = [command.summary, `Usage: ${command.usage}`];
  if (command.description) parts.push(command.description.replace(/^\n+|\n+$/g, ''));
  parts.push(optionsHelp(command.options));
  if (command.notes) parts.push(command.notes.replace(/^\n+|\n+$/g, ''));
  return parts.join('\n\n');
}
