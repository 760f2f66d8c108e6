import { ParameterError } from '../util/errors';

/** Parsed command line: positional words and `--flag value` / `--flag` / `--flag=value`. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(a.slice(2), argv[++i]);
      else flags.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { positional, flags };
}

/**
 * The options a command accepts: every `--flag` its usage text mentions (and --help). Deriving
 * them from the help keeps the two from drifting apart: a flag cannot be accepted without being
 * documented, and documenting it is all it takes to accept it.
 */
export function flagsInUsage(usage: string): Set<string> {
  const names = [...usage.matchAll(/(?:^|[\s[(|,/])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]);
  return new Set(['help', ...names]);
}

/** Given flags that are not in `accepted`, in command-line order. */
export function unknownFlags(parsed: ParsedArgs, accepted: ReadonlySet<string>): string[] {
  return [...parsed.flags.keys()].filter((k) => !accepted.has(k));
}

/**
 * Typed access to flags, with the flag named in every error. With `accepted` (what the command
 * declares), reading any other flag is a bug in lacuna, reported as such.
 */
export class Flags {
  private readonly used = new Set<string>();
  constructor(private readonly parsed: ParsedArgs, private readonly accepted?: ReadonlySet<string>) {}

  get positional(): string[] { return this.parsed.positional; }

  private use(name: string): void {
    if (this.accepted && !this.accepted.has(name)) throw new Error(`lacuna bug: reads --${name}, which the command's usage does not list`);
    this.used.add(name);
  }

  has(name: string): boolean {
    this.use(name);
    return this.parsed.flags.has(name);
  }

  bool(name: string): boolean {
    this.use(name);
    const v = this.parsed.flags.get(name);
    if (v === undefined) return false;
    if (v === true || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new ParameterError(`--${name} is a switch; got value "${v}"`);
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    this.use(name);
    const v = this.parsed.flags.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw new ParameterError(`--${name} needs a value`);
    return v;
  }

  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  number(name: string, fallback?: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ParameterError(`--${name} expects a number, got "${v}"`);
    return n;
  }

  /** Comma-separated numbers, e.g. `--folds 1,2,3`. */
  numbers(name: string): number[] | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    return v.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isFinite(n)) throw new ParameterError(`--${name} expects numbers like 1,2,3, got "${v}"`);
      return n;
    });
  }

  /** Flags given on the command line that no code asked for: likely typos. */
  unknown(): string[] {
    return [...this.parsed.flags.keys()].filter((k) => !this.used.has(k));
  }
}
