/**
 * The command line as users run it: the compiled dist/ entry point in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeWav } from '../lib/audio';
import { runLacuna } from './support/cli';

// Results of these runs go here, never into the user's outputs/.
const outputs = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-cli-out-'));

function lacuna(args: string[], env: Record<string, string> = {}) {
  return runLacuna(args, { env: { LACUNA_OUTPUT_DIR: outputs, ...env } });
}

test('help lists every command; an unknown command exits 2', () => {
  const help = lacuna(['--help']);
  assert.equal(help.status, 0);
  for (const c of ['engine', 'data', 'classify', 'grid', 'yamnet', 'embed', 'notebooks', 'demo']) assert.match(help.stdout, new RegExp(`\\n  ${c} `));
  const bad = lacuna(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
});

test('bad flags give one clear line naming the flag, not a stack trace', () => {
  const r = lacuna(['classify', '--epochs', 'many']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^lacuna: --epochs expects a number, got "many"\n$/);
  const g = lacuna(['classify', '--gap-model', 'teleport', '--corrupt-test']);
  assert.equal(g.status, 1);
  assert.match(g.stderr, /gap-model/);
  assert.doesNotMatch(g.stderr, /\n\s+at /);
});

test('without Jupyter, demo says how to install it and runs the same steps through the CLI', { timeout: 20 * 60 * 1000 }, () => {
  // An empty PATH hides jupyter; node itself is started by absolute path.
  // Two folds, as a user short of time would ask: every step honours them.
  const r = lacuna(['demo', '--size', 'tiny', '--folds', '1,2'], { PATH: '' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /Jupyter was not found/);
  assert.match(r.stderr, /apt-get install -y jupyter-nbconvert jupyter-client python3-ipykernel/);
  assert.match(r.stdout, /^engine: wasm \(/m);
  assert.match(r.stdout, /00 engine: trained a tiny conv net/);
  assert.match(r.stdout, /cnn NC clean: accuracy 0\.\d+ ± 0\.\d+ over 2 fold\(s\)/);
  assert.match(r.stdout, /cnn C_ts 8000-multiple: accuracy/);
});

const DATASET_COMMANDS = ['data', 'classify', 'grid', 'embed'];

test('every command refuses an unknown option before doing any work, naming it', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-cli-unknown-'));
  const env = { LACUNA_DATA_DIR: path.join(scratch, 'data'), LACUNA_OUTPUT_DIR: path.join(scratch, 'outputs') };
  for (const c of [...DATASET_COMMANDS, 'engine', 'yamnet', 'notebooks', 'demo']) {
    // --size tiny keeps the work small should the check ever let a command start.
    const small = ['engine', 'yamnet'].includes(c) ? [] : ['--size', 'tiny'];
    const r = lacuna([c, ...small, '--no-such-flag', '3'], env);
    assert.equal(r.status, 1, `${c}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^lacuna: unknown option --no-such-flag for lacuna ${c}; see \`lacuna ${c} --help\`\\n$`));
    assert.equal(lacuna([c, '--help']).status, 0, `${c} --help`);
  }
  assert.deepEqual(fs.readdirSync(scratch), [], 'nothing generated, cached or written');
  // Flags that mean something else elsewhere point to the dataset flag meant.
  assert.match(lacuna(['data', '--seed', '3'], env).stderr, /unknown option --seed for lacuna data \(the dataset's seed is --data-seed\)/);
  assert.match(lacuna(['data', '--folds', '5'], env).stderr, /the number of folds to assign is --fold-count/);
  // Every dataset command knows every dataset flag; a dataset flag that does not apply is an error too.
  for (const c of DATASET_COMMANDS) {
    const r = lacuna([c, '--dataset', 'synthetic-urban', '--esc10'], env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lacuna: --esc10 applies to --dataset esc50 only, not synthetic-urban\n$/);
  }
  assert.deepEqual(fs.readdirSync(scratch), []);
});

function tone(freqHz: number, seconds = 1, sampleRate = 16000): Uint8Array {
  return encodeWav({ samples: Float32Array.from({ length: sampleRate * seconds }, (_, i) => 0.4 * Math.sin((2 * Math.PI * freqHz * i) / sampleRate)), sampleRate });
}

function writeFiles(dir: string, files: Record<string, Uint8Array | string>): void {
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  }
}

/** Metadata as exported on Windows: UTF-8 BOM, CRLF line ends. */
const windowsCsv = (rows: string[]): string => '\ufeff' + rows.join('\r\n') + '\r\n';

/** An ESC-50 or UrbanSound8K layout with three classes of sparse source ids, 4 clips per class and fold, folds 1-2. */
function sparseDataset(dir: string, layout: 'esc50' | 'urbansound8k', ids: number[]): void {
  const files: Record<string, Uint8Array | string> = {};
  const rows = [layout === 'esc50' ? 'filename,fold,target,category' : 'slice_file_name,fsID,start,end,salience,fold,classID,class'];
  ids.forEach((id, k) => {
    for (let i = 0; i < 8; i++) {
      const fold = (i % 2) + 1;
      const name = `${fold}-${id}-${i}.wav`;
      files[layout === 'esc50' ? `audio/${name}` : `audio/fold${fold}/${name}`] = tone(200 + 400 * k + 7 * i);
      rows.push(layout === 'esc50' ? `${name},${fold},${id},class${id}` : `${name},${i},0,1,1,${fold},${id},class${id}`);
    }
  });
  files[layout === 'esc50' ? 'meta/esc50.csv' : 'metadata/UrbanSound8K.csv'] = windowsCsv(rows);
  writeFiles(dir, files);
}

const quickRun = ['--folds', '1', '--epochs', '1', '--duration', '1'];

test('a subset of ESC-50 / UrbanSound8K classes trains K-way models over classes 0..K-1', { timeout: 10 * 60 * 1000 }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-cli-sparse-'));
  const env = { LACUNA_DATA_DIR: path.join(scratch, 'data'), LACUNA_WORKERS: '1' };
  for (const [layout, ids] of [['esc50', [41, 3, 17]], ['urbansound8k', [9, 2]]] as const) {
    const dir = path.join(scratch, `${layout}-subset`);
    sparseDataset(dir, layout, [...ids]);
    const r = lacuna(['classify', '--dataset', layout, '--root', dir, ...quickRun], env);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const name = `${layout}-subset`;
    const k = ids.length;
    assert.match(r.stdout, new RegExp(`^dataset ${name}: ${8 * k} clips, ${k} classes, folds 1,2 `, 'm'));
    const results = path.join(outputs, 'results', name, 'cnn');
    const config = JSON.parse(fs.readFileSync(path.join(results, 'NC', 'clean', 'config.json'), 'utf8'));
    const sorted = [...ids].sort((a, b) => a - b);
    assert.equal(config.dataset.name, name);
    assert.deepEqual(config.dataset.classNames, sorted.map((id) => `class${id}`), 'classes in ascending source id');
    const [trained] = fs.readdirSync(path.join(results, '_trained'));
    const weights = JSON.parse(fs.readFileSync(path.join(results, '_trained', trained, 'fold-01.weights.json'), 'utf8')).weights;
    assert.deepEqual(weights[weights.length - 1].shape, [k], 'one output per class');
    assert.equal(fs.readFileSync(path.join(results, 'NC', 'clean', 'confusion.csv'), 'utf8').trim().split('\n').length, k + 1);
    const labels = fs.readFileSync(path.join(scratch, 'data', 'cache', name, 'zscore-1s', 'sr8000', 'labels.csv'), 'utf8').trim().split('\n');
    assert.equal(labels[0], 'id,classIndex,className,sourceClassId,fold');
    for (const line of labels.slice(1)) {
      const [, index, className, sourceId] = line.split(',');
      assert.equal(className, `class${sourceId}`);
      assert.equal(Number(index), sorted.indexOf(Number(sourceId)));
    }
  }
});

test('two datasets of one kind (manifest.csv in two folders): caches and results stay apart; each re-run reuses its own cache', { timeout: 10 * 60 * 1000 }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-cli-two-'));
  const env = { LACUNA_DATA_DIR: path.join(scratch, 'data'), LACUNA_WORKERS: '1' };
  for (const [set, base] of [['a', 300], ['b', 450]] as const) {
    const files: Record<string, Uint8Array | string> = {};
    const rows = ['path,label,fold'];
    for (let i = 0; i < 8; i++) {
      files[`lo${i}.wav`] = tone(base + i);
      files[`hi${i}.wav`] = tone(3 * base + i);
      rows.push(`lo${i}.wav,low,${(i % 2) + 1}`, `hi${i}.wav,high,${(i % 2) + 1}`);
    }
    writeFiles(path.join(scratch, set), { ...files, 'manifest.csv': rows.join('\n') + '\n' });
  }
  const dataArgs = (set: string) => ['data', '--dataset', 'manifest', '--root', path.join(scratch, set, 'manifest.csv'), '--duration', '1', '--rates', '8000'];
  for (const set of ['a', 'b']) {
    const r = lacuna(dataArgs(set), env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^dataset manifest-${set}: 16 of 16 clips cached, built 8000 Hz`, 'm'));
  }
  for (const set of ['a', 'b']) {
    const r = lacuna(['classify', '--dataset', 'manifest', '--root', path.join(scratch, set), ...quickRun], env);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, new RegExp(`^dataset manifest-${set}: 16 clips, 2 classes`, 'm'));
  }
  const fingerprints = ['a', 'b'].map((set) => {
    const config = JSON.parse(fs.readFileSync(path.join(outputs, 'results', `manifest-${set}`, 'cnn', 'NC', 'clean', 'config.json'), 'utf8'));
    assert.equal(config.dataset.name, `manifest-${set}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(scratch, 'data', 'cache', `manifest-${set}`, 'zscore-1s', 'sr8000', 'manifest.json'), 'utf8'));
    assert.equal(manifest.name, `manifest-${set}`);
    assert.equal(manifest.source.root, path.join(scratch, set, 'manifest.csv'));
    return config.dataset.fingerprint;
  });
  assert.notEqual(fingerprints[0], fingerprints[1]);
  for (const set of ['a', 'b']) assert.match(lacuna(dataArgs(set), env).stdout, new RegExp(`^dataset manifest-${set}: .*reused \\(nothing changed\\)`, 'm'));
});

test('one definition of the dataset flags: every dataset command accepts all of them; reading an undeclared flag is a bug', async () => {
  const { DATASET_FLAG_NAMES } = await import('../lib/data/flags');
  const { commandOptions } = await import('../lib/cli/command');
  const { optionMap, parseOptions } = await import('../lib/util/options');
  assert.deepEqual([...DATASET_FLAG_NAMES].sort(), ['cache-root', 'clips-per-class', 'data-seed', 'dataset', 'duration', 'esc10', 'fold-count', 'name', 'normalize', 'root', 'size']);
  // notebooks and demo take them too: they choose the notebooks' dataset.
  for (const c of [...DATASET_COMMANDS, 'reconstruct', 'study', 'tune', 'notebooks', 'demo']) {
    const { command } = await import(`../lib/cli/commands/${c}`);
    const accepted = commandOptions(command);
    for (const flag of DATASET_FLAG_NAMES) assert.ok(accepted.has(flag), `${c} accepts --${flag}`);
  }
  // Code reading a flag the command does not declare is caught as a bug, not ignored.
  const flags = parseOptions(['--top', '3'], optionMap([{ title: 'x', options: [{ name: 'top', type: 'number', default: 5, help: 'top' }] }]), { command: 'lacuna x' });
  assert.equal(flags.number('top'), 3);
  assert.throws(() => flags.bool('json'), /lacuna bug: reads --json, which the command does not declare/);
  assert.throws(() => flags.string('top'), /lacuna bug: reads --top \(a number\) as a string/);
});

/** Every command, loaded as main loads it. */
async function allCommands() {
  const { COMMAND_NAMES, loadCommand } = await import('../lib/cli/main');
  return COMMAND_NAMES.map((name) => ({ name, command: loadCommand(name)! }));
}

test('help is generated from the declarations: every declared flag is in it, every flag it names is declared', async () => {
  const { commandHelp, commandOptions } = await import('../lib/cli/command');
  for (const { name, command } of await allCommands()) {
    const help = commandHelp(command);
    const declared = commandOptions(command);
    for (const flag of declared.keys()) if (flag !== 'help') assert.match(help, new RegExp(`^  --${flag}\\b`, 'm'), `${name} --help lists --${flag}`);
    const named = new Set([...help.matchAll(/--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]));
    for (const flag of named) assert.ok(declared.has(flag), `${name} --help names --${flag}, which it does not declare`);
  }
  // What `lacuna <command> --help` prints is that text.
  const { command } = await import('../lib/cli/commands/reconstruct');
  const printed = lacuna(['reconstruct', '--help']);
  assert.equal(printed.status, 0);
  assert.equal(printed.stdout, `${commandHelp(command)}\n`);
  assert.match(lacuna(['--help']).stdout, /Run `lacuna <command> --help` for its options/);
});

test('a flag mentioned only in the prose is refused: the declaration alone decides', async () => {
  const { parseCommandLine } = await import('../lib/cli/command');
  const command = {
    summary: 's', usage: 'lacuna x [--top N]', description: 'Like --secret, which is not declared.',
    options: [{ title: 'Options', options: [{ name: 'top', type: 'number' as const, help: 'how many' }] }],
    run: async () => 0,
  };
  assert.equal(parseCommandLine('x', command, ['--top', '2']).number('top'), 2);
  assert.throws(() => parseCommandLine('x', command, ['--secret']), /^ParameterError: unknown option --secret for lacuna x; see `lacuna x --help`$/);
});

test('an old flag name is an error naming the new one, in every command that has the new one', async () => {
  const { RENAMED_FLAGS } = await import('../lib/cli/flags/renamed');
  const { commandOptions, parseCommandLine } = await import('../lib/cli/command');
  const renamed = RENAMED_FLAGS.filter((r) => !['seed', 'folds'].includes(r.from));
  assert.deepEqual(renamed.map((r) => `${r.from}→${r.to}`), ['corruption-size→gap-length', 'lengths→gap-lengths', 'packet-loss→loss-rates', 'no-packet-loss→loss-rates', 'preset→gan-preset', 'batch→tune-batch']);
  let checked = 0;
  for (const { name, command } of await allCommands()) {
    const declared = commandOptions(command);
    for (const r of renamed) {
      if (declared.has(r.from) || !declared.has(r.to)) continue;
      assert.throws(() => parseCommandLine(name, command, [`--${r.from}`, '1']), (e: Error) =>
        e.message.startsWith(`unknown option --${r.from} for lacuna ${name} (`) && e.message.includes(`--${r.to}`), `${name} --${r.from}`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `${checked} command/flag pairs`);
  // --preset stays the training preset where there is one.
  assert.equal((await allCommands()).find((c) => c.name === 'classify')!.command.options.some((g) => g.options.some((o) => o.name === 'preset')), true);
  const r = lacuna(['classify', '--corruption-size', '800', '--corrupt-test']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'lacuna: unknown option --corruption-size for lacuna classify (--corruption-size is now --gap-length); see `lacuna classify --help`\n');
  assert.match(lacuna(['grid', '--no-packet-loss']).stderr, /\(--no-packet-loss is now --loss-rates none\)/);
  assert.match(lacuna(['study', '--preset', 'reference']).stderr, /unknown option --preset for lacuna study \(the GAN's architecture is --gan-preset/);
  // tune and study name the tuning points handed out at a time alike.
  assert.match(lacuna(['tune', '--batch', '4']).stderr, /unknown option --batch for lacuna tune \(--batch is now --tune-batch/);
});

test('a near miss is answered with the flag meant; a bad value names the flag and the problem', async () => {
  const { parseCommandLine } = await import('../lib/cli/command');
  const commands = new Map((await allCommands()).map((c) => [c.name, c.command]));
  const parse = (name: string, ...argv: string[]) => () => parseCommandLine(name, commands.get(name)!, argv);
  assert.throws(parse('classify', '--gap-lenght', '800'), /^ParameterError: unknown option --gap-lenght for lacuna classify \(did you mean --gap-length\?\)/);
  assert.throws(parse('grid', '--epoch', '2'), /did you mean --epochs\?/);
  assert.throws(parse('classify', '--folds', '1,x'), /^ParameterError: --folds: "1,x" is not a list of fold numbers$/);
  assert.throws(parse('classify', '--folds', '0'), /^ParameterError: --folds takes fold numbers \(integers >= 1\), got 0$/);
  assert.throws(parse('classify', '--gap-length', '2'), /^ParameterError: --gap-length must be an integer >= 4 samples, got 2$/);
  assert.throws(parse('grid', '--loss-rates', '0.1,1.5'), /^ParameterError: --loss-rates takes loss rates in \(0, 1\), got 1.5$/);
  assert.throws(parse('grid', '--modes', 'C_ts,NC'), /^ParameterError: --modes takes C_tr, C_ts, C_all; got "NC"$/);
  assert.throws(parse('classify', '--engine', 'gpu'), /^ParameterError: --engine must be one of onnx, node, wasm, cpu; got "gpu"$/);
  assert.throws(parse('classify', '--seed'), /^ParameterError: --seed needs a value \(N\)$/);
  assert.throws(parse('classify', '--overwrite=yes'), /^ParameterError: --overwrite is a switch; got value "yes"$/);
  assert.throws(parse('classify', 'fold1'), /^ParameterError: lacuna classify takes no arguments besides its options; got "fold1"$/);
  // Negative numbers are values, not flags; --loss-rates none is the empty list.
  assert.equal(parse('classify', '--seed', '-3')().number('seed'), -3);
  assert.deepEqual(parse('grid', '--loss-rates', 'none')().numbers('loss-rates'), []);
  assert.deepEqual(parse('grid')().numbers('loss-rates'), [0.05, 0.1, 0.2]);
  // Flags of another gap model than the one chosen are refused, not ignored.
  const { readGapModel } = await import('../lib/cli/flags/gaps');
  assert.throws(() => readGapModel(parse('classify', '--loss-rate', '0.2')()), /--loss-rate applies to --gap-model packet-loss only/);
  assert.throws(() => readGapModel(parse('classify', '--gap-model', 'packet-loss', '--gap-length', '800')()), /--gap-length applies to single and multiple gaps/);
  assert.deepEqual(readGapModel(parse('reconstruct', '--multiple', '--gap-length', '800')()), { kind: 'multiple', gapSamples: 800 });
});
