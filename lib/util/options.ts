/**
 * A declared command-line grammar: each command lists its options as data (name, type, default,
 * help, unit), parsing checks the command line against that list, and the help is printed from
 * it. What a command accepts is what it declares, never what its prose happens to mention.
 *
 * Parsing runs on Node's util.parseArgs (its tokens), with the strict checks done here so that
 * every error names the flag, the command and the problem in lacuna's words: an unknown flag
 * (with "did you mean" and, for a renamed flag, its new name), a missing value, a value of the
 * wrong kind or outside its range.
 */
import { parseArgs } from 'util';
import { ParameterError } from './errors';

export type OptionType = 'boolean' | 'string' | 'number' | 'list';
export type OptionValue = boolean | string | number | (string | number)[];

/** One `--flag`. Rules (integer, min, …) apply to a number or to each number of a list. */
export interface OptionSpec {
  /** Without the dashes: `gap-length`. */
  name: string;
  type: OptionType;
  /** What it does; may span lines. The unit and default are appended by the help. */
  help: string;
  /** The value's placeholder in the help (N, PATH, 1,2); default from the type or the choices. */
  value?: string;
  /** The unit of a number or of a list's numbers (samples, seconds, Hz). */
  unit?: string;
  /** The value when the flag is absent (also shown in the help). */
  default?: OptionValue;
  /** The default in words, where code computes it (e.g. "the preset's"). */
  defaultText?: string;
  /** The values a string (or each item of a list) may take. */
  choices?: readonly string[];
  /** A list's items: numbers (default) or words. */
  items?: 'number' | 'string';
  /** A list's items in words, for errors: "fold numbers", "loss rates". */
  itemsName?: string;
  /** A list may be given as `none`: the empty list. */
  none?: boolean;
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

/** Options shown together in the help under one title (a command's own, the dataset's, …). */
export interface OptionGroup {
  title: string;
  options: readonly OptionSpec[];
}

/** A flag lacuna used to take, and what it is now (in commands that declare `to`). */
export interface RenamedFlag {
  from: string;
  to: string;
  /** How the hint reads, e.g. "the dataset's seed is --data-seed"; default "--from is now --to". */
  hint?: string;
}

const bug = (message: string): Error => new Error(`lacuna bug: ${message}`);

/** The options as parsed: declared ones only, values checked; reading an undeclared one is a bug. */
export class Options {
  constructor(
    private readonly specs: ReadonlyMap<string, OptionSpec>,
    private readonly values: ReadonlyMap<string, OptionValue>,
    /** As written on the command line, for flags given. */
    private readonly texts: ReadonlyMap<string, string>,
    readonly positional: string[],
  ) {}

  private spec(name: string, ...types: OptionType[]): OptionSpec {
    const s = this.specs.get(name);
    if (!s) throw bug(`reads --${name}, which the command does not declare`);
    if (types.length && !types.includes(s.type)) throw bug(`reads --${name} (a ${s.type}) as a ${types.join(' or ')}`);
    return s;
  }

  /** Whether the flag was given on the command line. */
  has(name: string): boolean {
    this.spec(name);
    return this.values.has(name);
  }

  bool(name: string): boolean {
    this.spec(name, 'boolean');
    return this.values.get(name) === true;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const s = this.spec(name, 'string');
    return (this.values.get(name) as string | undefined) ?? fallback ?? (s.default as string | undefined);
  }

  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  number(name: string, fallback?: number): number | undefined {
    const s = this.spec(name, 'number');
    return (this.values.get(name) as number | undefined) ?? fallback ?? (s.default as number | undefined);
  }

  numbers(name: string): number[] | undefined {
    const s = this.spec(name, 'list');
    if (s.items === 'string') throw bug(`reads --${name} (a list of words) as numbers`);
    return (this.values.get(name) ?? s.default) as number[] | undefined;
  }

  strings(name: string): string[] | undefined {
    const s = this.spec(name, 'list');
    if (s.items !== 'string') throw bug(`reads --${name} (a list of numbers) as words`);
    return (this.values.get(name) ?? s.default) as string[] | undefined;
  }

  /** The value as written on the command line (undefined when not given). */
  text(name: string): string | undefined {
    this.spec(name);
    return this.texts.get(name);
  }

  /** The declared flags that were given, in declaration order. */
  given(names: readonly string[]): string[] {
    return names.filter((n) => this.has(n));
  }
}

/** Every option of the groups, by name; a name declared twice is a bug in the declaration. */
export function optionMap(groups: readonly OptionGroup[]): Map<string, OptionSpec> {
  const map = new Map<string, OptionSpec>();
  for (const g of groups) {
    for (const o of g.options) {
      if (map.has(o.name)) throw bug(`--${o.name} is declared twice`);
      map.set(o.name, o);
    }
  }
  return map;
}

function ruleText(s: OptionSpec): string | undefined {
  if (s.above !== undefined && s.below !== undefined) return `in (${s.above}, ${s.below})`;
  const bound = s.min !== undefined ? `>= ${s.min}` : s.above !== undefined ? `> ${s.above}` : s.below !== undefined ? `< ${s.below}` : '';
  if (s.integer) return bound ? `an integer ${bound}` : 'an integer';
  return bound || undefined;
}

/** The rule each item of a list must keep, after "takes <items>": " in (0, 1)", " (integers >= 1)". */
function itemRuleText(s: OptionSpec): string {
  if (s.above !== undefined && s.below !== undefined) return ` in (${s.above}, ${s.below})`;
  const rule = ruleText(s);
  if (rule === undefined) return '';
  return ` (${s.integer ? rule.replace(/^an integer/, 'integers') : rule}${s.unit ? ` ${s.unit}` : ''})`;
}

function breaksRule(s: OptionSpec, n: number): boolean {
  return (s.integer === true && !Number.isInteger(n)) || (s.min !== undefined && n < s.min) ||
    (s.above !== undefined && n <= s.above) || (s.below !== undefined && n >= s.below);
}

/** The value of `--name text`, checked against its declaration; errors name the flag and the value. */
export function optionValue(s: OptionSpec, text: string): OptionValue {
  const flag = `--${s.name}`;
  if (s.type === 'string') {
    if (s.choices && !s.choices.includes(text)) throw new ParameterError(`${flag} must be one of ${s.choices.join(', ')}; got "${text}"`);
    return text;
  }
  if (s.type === 'number') {
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(n)) throw new ParameterError(`${flag} expects a number, got "${text}"`);
    if (breaksRule(s, n)) throw new ParameterError(`${flag} must be ${ruleText(s)}${s.unit ? ` ${s.unit}` : ''}, got ${n}`);
    return n;
  }
  if (s.type === 'list') {
    if (s.none && text.trim() === 'none') return [];
    const words = text.split(',').map((w) => w.trim());
    if (!words.some(Boolean)) throw new ParameterError(`${flag} needs at least one value`);
    const what = s.itemsName ?? (s.items === 'string' ? 'words' : 'numbers');
    if (s.items === 'string') {
      const bad = s.choices && words.find((w) => !s.choices!.includes(w));
      if (bad !== undefined) throw new ParameterError(`${flag} takes ${s.choices!.join(', ')}; got "${bad}"`);
      return words.filter(Boolean);
    }
    const numbers = words.map((w) => (w === '' ? NaN : Number(w)));
    if (numbers.some((n) => !Number.isFinite(n))) throw new ParameterError(`${flag}: "${text}" is not a list of ${what}`);
    const bad = numbers.find((n) => breaksRule(s, n));
    if (bad !== undefined) throw new ParameterError(`${flag} takes ${what}${itemRuleText(s)}, got ${bad}`);
    return numbers;
  }
  throw bug(`${flag} is a switch and takes no value`);
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The declared name closest to an unknown one, when close enough to be a typo. */
export function closestName(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const n of names) {
    const d = distance(name, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 4)) ? best : undefined;
}

/** The hint for an unknown flag: its new name when renamed (and declared here), else the closest declared one. */
function unknownHint(name: string, specs: ReadonlyMap<string, OptionSpec>, renamed: readonly RenamedFlag[]): string | undefined {
  const r = renamed.find((x) => x.from === name && specs.has(x.to));
  if (r) return r.hint ?? `--${r.from} is now --${r.to}`;
  const near = closestName(name, specs.keys());
  return near ? `did you mean --${near}?` : undefined;
}

export interface ParseContext {
  /** Who parses, as errors name it: `lacuna classify`, `datasetFlags`. */
  command: string;
  /** Whether words other than flags are taken (files, notebook prefixes). */
  positionals?: boolean;
  renamed?: readonly RenamedFlag[];
  /** Added to the unknown-flag error, e.g. "; see `lacuna data --help`". */
  seeAlso?: string;
  /** The unknown-flag error in the caller's words, given the flags (with dashes) and the hints. */
  unknownMessage?: (flags: string[], hints: string[]) => string;
}

/** A value that begins with '-' is a value only when it is a number (`--seed -1`); else the value is missing. */
const looksLikeFlag = (word: string): boolean => word.startsWith('-') && !Number.isFinite(Number(word));

/**
 * Parses `argv` against the declared options. Everything is checked before any value is used:
 * unknown flags (all named at once), missing values, switches given values, stray words, values
 * of the wrong kind or outside their range. `-h` is `--help` when help is declared.
 */
export function parseOptions(argv: readonly string[], specs: ReadonlyMap<string, OptionSpec>, context: ParseContext): Options {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const s of specs.values()) {
    options[s.name] = { type: s.type === 'boolean' ? 'boolean' : 'string', ...(s.name === 'help' ? { short: 'h' } : {}) };
  }
  // Not parseArgs' own strict mode: its errors name neither the command nor a near or renamed flag.
  const tokens = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens ?? [];
  const unknown = tokens.filter((t) => t.kind === 'option' && !specs.has(t.name)).map((t) => (t as { name: string }).name);
  if (unknown.length) {
    const hints = [...new Set(unknown)].map((u) => unknownHint(u, specs, context.renamed ?? []))
      .filter((h): h is string => h !== undefined);
    if (context.unknownMessage) throw new ParameterError(context.unknownMessage(unknown.map((u) => `--${u}`), hints));
    const named = unknown.map((u) => `--${u}`).join(', ');
    throw new ParameterError(`unknown option${unknown.length > 1 ? 's' : ''} ${named} for ${context.command}` +
      `${hints.length ? ` (${hints.join('; ')})` : ''}${context.seeAlso ?? ''}`);
  }
  const values = new Map<string, OptionValue>();
  const texts = new Map<string, string>();
  const positional: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') { positional.push(t.value); continue; }
    if (t.kind !== 'option') continue; // '--': what follows are positionals, already tokens
    const s = specs.get(t.name)!;
    if (s.type === 'boolean') {
      if (t.value !== undefined) throw new ParameterError(`--${s.name} is a switch; got value "${t.value}"`);
      values.set(s.name, true);
      continue;
    }
    if (t.value === undefined || (!t.inlineValue && looksLikeFlag(t.value))) {
      throw new ParameterError(`--${s.name} needs a value (${placeholder(s)})`);
    }
    values.set(s.name, optionValue(s, t.value));
    texts.set(s.name, t.value);
  }
  if (positional.length && !context.positionals && !values.get('help')) {
    throw new ParameterError(`${context.command} takes no arguments besides its options; got "${positional.join(' ')}"`);
  }
  return new Options(specs, values, texts, positional);
}

function placeholder(s: OptionSpec): string {
  if (s.type === 'boolean') return '';
  if (s.value) return s.value;
  if (s.choices) return s.type === 'list' ? s.choices.join(',') : s.choices.join('|');
  return s.type === 'number' ? 'N' : s.type === 'list' ? 'A,B' : 'VALUE';
}

function defaultOf(s: OptionSpec): string | undefined {
  if (s.defaultText !== undefined) return s.defaultText;
  if (s.default === undefined || s.default === false) return undefined;
  if (Array.isArray(s.default)) return s.default.length ? s.default.join(',') : 'none';
  return String(s.default);
}

/** One option's help: flag and placeholder, then the text; the unit and default after it. */
export function optionHelp(s: OptionSpec, width = 26): string {
  const head = `  --${s.name}${placeholder(s) ? ` ${placeholder(s)}` : ''}`;
  const facts = [s.unit && `${s.unit}`, defaultOf(s) !== undefined && `default ${defaultOf(s)}`].filter(Boolean).join('; ');
  const text = `${s.help}${facts ? ` (${facts})` : ''}`;
  const pad = ' '.repeat(width);
  const lines = text.split('\n');
  const first = head.length < width ? head.padEnd(width) + lines[0] : `${head}\n${pad}${lines[0]}`;
  return [first, ...lines.slice(1).map((l) => pad + l.trimStart())].join('\n');
}

/** The option groups as help text, one titled block each. */
export function optionsHelp(groups: readonly OptionGroup[]): string {
  return groups.filter((g) => g.options.length).map((g) => `${g.title}:\n${g.options.map((o) => optionHelp(o)).join('\n')}`).join('\n\n');
}
