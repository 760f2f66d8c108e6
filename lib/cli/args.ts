import { ParameterError } from '../util/errors';
import type { FlagReader } from '../util/options';

/**
 * The benches' reader of their own flags: undeclared, any `--flag value` / `--flag` /
 * `--flag=value`, unknown ones found by `unknown()` after reading. lacuna's commands do not use it:
 * they declare their options (lib/util/options, lib/cli/command.ts).
 */
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

/** Typed access to undeclared flags, with the flag named in every error. */
export class Flags implements FlagReader {
  private readonly used = new Set<string>();
  constructor(private readonly parsed: ParsedArgs) {}

  get positional(): string[] { return this.parsed.positional; }

  has(name: string): boolean {
    this.used.add(name);
    return this.parsed.flags.has(name);
  }

  bool(name: string): boolean {
    this.used.add(name);
    const v = this.parsed.flags.get(name);
    if (v === undefined) return false;
    if (v === true || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new ParameterError(`--${name} is a switch; got value "${v}"`);
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    this.used.add(name);
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
