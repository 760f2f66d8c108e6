import * as fs from 'fs';
import * as path from 'path';
import type { Command } from '../command';
import { defaultWorkerCount, initEngine } from '../../engine';
import { YAMNET_OPTION, engineOption, readEngine, workersOption } from '../flags/common';
import { readWav } from '../../audio/io';
import { resample } from '../../audio/resample';
import { ParameterError } from '../../util/errors';
import { loadYamnet, topClasses } from '../../models/yamnet/model';
import { classifyClips } from '../../models/yamnet/classify';
import { YAMNET_SAMPLE_RATE } from '../../models/yamnet/frontend';

type TopClass = ReturnType<typeof topClasses>[number];

export const command: Command = {
  summary: 'classify WAV files and folders with the pretrained YAMNet (AudioSet classes, scores averaged over patches)',
  usage: 'lacuna yamnet FILE.wav|DIR... [--top 5] [--json] [--workers N] [--yamnet PATH] [--engine NAME] [--int8]',
  description: `Prints one "file<TAB>rank<TAB>label<TAB>score" line per file and class, best first (rank 1).
Files come in the order given; a folder stands for every *.wav (any case) in it and its
subfolders, sorted by path. The model is loaded once. Any sample rate and channel count: the
audio is mixed to mono and resampled to 16 kHz.
A file that cannot be classified (unreadable, not a WAV, empty, truncated) is reported on
stderr and skipped; the others still run and the exit status is 1 at the end.`,
  positionals: true,
  options: [{
    title: 'Options',
    options: [
      { name: 'top', type: 'number', integer: true, min: 1, default: 5, help: 'number of classes per file' },
      {
        name: 'json', type: 'boolean',
        help: 'JSON lines instead: one object per file,\n' +
          '{"file": …, "classes": [{"rank": 1, "label": …, "index": …, "score": …}, …]}',
      },
      workersOption('threads classifying at once; threads start only when there are more than 8 files'),
      YAMNET_OPTION,
      engineOption(),
      { name: 'int8', type: 'boolean', help: 'round activations to the official int8 model\'s grid (closer to the TFLite classifier)' },
    ],
  }],
  async run(flags) {
    const top = flags.number('top', 5);
    const json = flags.bool('json');
    const workers = flags.number('workers', defaultWorkerCount());
    const engine = readEngine(flags);
    const modelPath = flags.string('yamnet');
    const emulateInt8 = flags.bool('int8');
    if (flags.positional.length === 0) throw new ParameterError('lacuna yamnet needs WAV files or folders: lacuna yamnet FILE.wav|DIR...');
    const files = flags.positional.flatMap(inputFiles);

    await initEngine({ engine, quiet: true });
    const model = loadYamnet({ path: modelPath, emulateInt8 });
    let failed = 0;
    const report = (file: string, err: unknown) => {
      failed++;
      console.error(`lacuna: ${problemOf(file, err)}`);
    };
    // `lacuna yamnet DIR | head` closes stdout early: stop as Unix tools do, not with a stack
    // trace. Never removed: the error arrives asynchronously, possibly after the last row.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(failed > 0 ? 1 : 0);
    });
    try {
      for await (const { clip, scores } of classifyClips(model, readClips(files, report), { workers })) {
        const best = topClasses(scores, model.labels, top);
        console.log(json ? jsonLine(clip.file, best) : tsvRows(clip.file, best));
      }
    } finally {
      model.dispose();
    }
    if (failed === 0) return 0;
    console.error(`lacuna: ${failed} of ${files.length} file(s) could not be classified`);
    return 1;
  },
};

/** One command-line path as files: a file itself (whatever its name), a folder its WAVs. */
function inputFiles(arg: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(arg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new ParameterError(`${arg}: ${missing ? 'no such file or folder' : `cannot read (${code ?? (err as Error).message})`}`);
  }
  if (!stat.isDirectory()) return [arg];
  const found = wavFilesUnder(arg);
  if (found.length === 0) throw new ParameterError(`${arg}: no .wav files in this folder or its subfolders`);
  return found;
}

/**
 * *.wav files (any case) below `dir`, sorted by path. Symbolic links are followed, but a folder
 * already visited (a link back up the tree) is not entered twice.
 */
function wavFilesUnder(dir: string, visited = new Set<string>()): string[] {
  const real = fs.realpathSync(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new ParameterError(`${dir}: cannot list folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const out: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const stat = fs.statSync(full, { throwIfNoEntry: false }); // undefined for a dangling link
    if (stat?.isDirectory()) out.push(...wavFilesUnder(full, visited));
    else if (stat?.isFile() && /\.wav$/i.test(name)) out.push(full);
  }
  // Code-unit order, not the locale's, so the output order is the same on every machine.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The files' audio at YAMNet's rate, read one at a time as classification needs them; a file that fails goes to `report`. */
function* readClips(files: string[], report: (file: string, err: unknown) => void): Generator<{ file: string; samples: Float32Array }> {
  for (const file of files) {
    let samples: Float32Array;
    try {
      const audio = readWav(file);
      samples = resample(audio.samples, audio.sampleRate, YAMNET_SAMPLE_RATE);
    } catch (err) {
      report(file, err);
      continue;
    }
    yield { file, samples };
  }
}

/** One line naming the file and what is wrong with it (lacuna's file errors already start with the path). */
function problemOf(file: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${file}: `) ? message : `${file}: ${message}`;
}

function tsvRows(file: string, best: TopClass[]): string {
  return best.map((c, i) => `${file}\t${i + 1}\t${c.label}\t${c.score.toFixed(4)}`).join('\n');
}

function jsonLine(file: string, best: TopClass[]): string {
  const classes = best.map((c, i) => ({ rank: i + 1, label: c.label, index: c.index, score: +c.score.toFixed(6) }));
  return JSON.stringify({ file, classes });
}
