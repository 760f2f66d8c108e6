/**
 * The declared command-line grammar (lib/util/options.ts) on its own: parsing against a
 * declaration, the checks made at the edge, and the help printed from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionSpec, closestName, optionHelp, optionMap, optionsHelp, parseOptions } from '../lib/util/options';

const SPECS: OptionSpec[] = [
  { name: 'gap-length', type: 'number', integer: true, min: 4, unit: 'samples', default: 4000, help: 'missing samples per clip' },
  { name: 'loss-rates', type: 'list', itemsName: 'loss rates', above: 0, below: 1, none: true, default: [0.1], help: 'loss rates' },
  { name: 'modes', type: 'list', items: 'string', choices: ['C_tr', 'C_ts'], help: 'modes' },
  { name: 'engine', type: 'string', choices: ['wasm', 'cpu'], help: 'engine' },
  { name: 'json', type: 'boolean', help: 'as JSON' },
  { name: 'help', type: 'boolean', help: 'this help' },
];
const specs = optionMap([{ title: 'Options', options: SPECS }]);
const parse = (...argv: string[]) => parseOptions(argv, specs, { command: 'lacuna x', seeAlso: '; see `lacuna x --help`' });

test('values come typed and checked; absent flags give their declared defaults', () => {
  const f = parse('--gap-length=800', '--loss-rates', '0.05, 0.2', '--modes', 'C_ts', '--json');
  assert.equal(f.number('gap-length'), 800);
  assert.deepEqual(f.numbers('loss-rates'), [0.05, 0.2]);
  assert.deepEqual(f.strings('modes'), ['C_ts']);
  assert.equal(f.bool('json'), true);
  assert.equal(f.text('gap-length'), '800');
  assert.deepEqual(f.given(['engine', 'json', 'gap-length']), ['json', 'gap-length']);
  const none = parse();
  assert.equal(none.number('gap-length'), 4000);
  assert.deepEqual(none.numbers('loss-rates'), [0.1]);
  assert.equal(none.string('engine'), undefined);
  assert.equal(none.has('gap-length'), false);
  assert.deepEqual(parse('--loss-rates', 'none').numbers('loss-rates'), []);
  assert.equal(parse('-h').bool('help'), true);
});

test('every unknown flag is named at once, with the flag meant for a near miss only', () => {
  assert.throws(() => parse('--jsn', '--frobnicate', '2'),
    /^ParameterError: unknown options --jsn, --frobnicate for lacuna x \(did you mean --json\?\); see `lacuna x --help`$/);
  assert.equal(closestName('gap-lenght', specs.keys()), 'gap-length');
  assert.equal(closestName('seed', specs.keys()), undefined);
  const renamed = [{ from: 'corruption-size', to: 'gap-length' }, { from: 'lengths', to: 'gap-lengths' }];
  assert.throws(() => parseOptions(['--corruption-size', '8'], specs, { command: 'lacuna x', renamed }), /\(--corruption-size is now --gap-length\)/);
  // A rename to a flag this command does not have is no hint here.
  assert.throws(() => parseOptions(['--lengths', '8'], specs, { command: 'lacuna x', renamed }), /^ParameterError: unknown option --lengths for lacuna x$/);
});

test('bad values name the flag and the problem', () => {
  const cases: [string[], RegExp][] = [
    [['--gap-length', 'x'], /^ParameterError: --gap-length expects a number, got "x"$/],
    [['--gap-length', '2'], /^ParameterError: --gap-length must be an integer >= 4 samples, got 2$/],
    [['--gap-length', '4.5'], /--gap-length must be an integer >= 4 samples, got 4.5/],
    [['--gap-length'], /^ParameterError: --gap-length needs a value \(N\)$/],
    [['--gap-length', '--json'], /--gap-length needs a value/],
    [['--loss-rates', '0.1,x'], /^ParameterError: --loss-rates: "0.1,x" is not a list of loss rates$/],
    [['--loss-rates', '0,0.1'], /^ParameterError: --loss-rates takes loss rates in \(0, 1\), got 0$/],
    [['--loss-rates', ','], /^ParameterError: --loss-rates needs at least one value$/],
    [['--modes', 'C_ts,NC'], /^ParameterError: --modes takes C_tr, C_ts; got "NC"$/],
    [['--engine', 'gpu'], /^ParameterError: --engine must be one of wasm, cpu; got "gpu"$/],
    [['--json=no'], /^ParameterError: --json is a switch; got value "no"$/],
    [['stray'], /^ParameterError: lacuna x takes no arguments besides its options; got "stray"$/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parse(...argv), message, argv.join(' '));
  // A negative number is a value, not a flag.
  const signed = optionMap([{ title: 'o', options: [{ name: 'seed', type: 'number', integer: true, help: 'seed' }] }]);
  assert.equal(parseOptions(['--seed', '-2'], signed, { command: 'lacuna x' }).number('seed'), -2);
});

test('reading a flag that is not declared, or as another type, is a bug in lacuna; a name declared twice too', () => {
  const f = parse();
  assert.throws(() => f.bool('quick'), /lacuna bug: reads --quick, which the command does not declare/);
  assert.throws(() => f.numbers('modes'), /lacuna bug: reads --modes \(a list of words\) as numbers/);
  assert.throws(() => optionMap([{ title: 'a', options: SPECS }, { title: 'b', options: [SPECS[0]] }]), /lacuna bug: --gap-length is declared twice/);
});

test('the help shows each flag with its value, text, unit and default', () => {
  assert.equal(optionHelp(SPECS[0]), '  --gap-length N          missing samples per clip (samples; default 4000)');
  assert.equal(optionHelp(SPECS[3]), '  --engine wasm|cpu       engine');
  assert.equal(optionHelp({ name: 'very-long-flag-name', type: 'string', value: 'PATH', help: 'one\ntwo' }),
    '  --very-long-flag-name PATH\n                          one\n                          two');
  const help = optionsHelp([{ title: 'Options', options: SPECS }, { title: 'Empty', options: [] }]);
  assert.match(help, /^Options:\n  --gap-length N/);
  assert.match(help, /--loss-rates A,B +loss rates \(default 0\.1\)/);
  assert.doesNotMatch(help, /Empty/);
});
