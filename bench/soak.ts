/**
 * Soak check of the main job: executes notebooks several times in a row, each run from scratch
 * for its results (a fresh LACUNA_OUTPUT_DIR, so every cross-validation really trains; dataset and
 * embedding caches are shared, as a user's re-runs share them), and counts failures.
 *
 *   npm run soak -- [options]   (--help lists them)
 *
 * Baseline in the same run: a stress notebook whose one cell sends 1500 live-display updates, as a
 * long training cell does over ~25 minutes, executed with plain tslab and with lacuna loaded (which
 * queues the kernel's sends; lib/util/zmq-sends). Ends with one JSON line:
 * {"bench":"soak","runs":N,"failures":F,"seconds":[…],…}.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchOptions, countOption } from './options';
import { executeNotebook, findJupyter, listNotebooks } from '../lib/notebook/runner';
import { repoRoot } from '../lib/data';

function stressNotebook(dir: string, withLacuna: boolean): string {
  const setup = withLacuna
    ? `import { initEngine } from ${JSON.stringify(path.join(repoRoot(), 'dist', 'engine'))};\nawait initEngine({ quiet: true });`
    : "console.log('plain tslab');";
  const cells = [setup, "import * as tslab from 'tslab';\nconst live = tslab.newDisplay();\nfor (let i = 0; i < 1500; i++) live.text('state ' + i);"];
  const file = path.join(dir, `stress-${withLacuna ? 'lacuna' : 'plain'}.ipynb`);
  fs.writeFileSync(file, JSON.stringify({
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } }, nbformat: 4, nbformat_minor: 5,
  }));
  return file;
}

function attempt(notebook: string, outDir: string, env: Record<string, string>): { ok: boolean; seconds: number; error?: string } {
  const start = Date.now();
  try {
    executeNotebook(notebook, { outDir, env });
    return { ok: true, seconds: (Date.now() - start) / 1000 };
  } catch (err) {
    return { ok: false, seconds: (Date.now() - start) / 1000, error: (err as Error).message.split('\n').slice(0, 3).join(' | ') };
  }
}

function main(): void {
  const flags = benchOptions({
    name: 'bench/soak.ts',
    summary: 'notebooks executed several times in a row, each from fresh results; failures counted',
    options: [
      countOption('runs', 'executions of each notebook', 3),
      { name: 'notebooks', type: 'list', items: 'string', value: '03,05', default: ['03'], help: 'notebook prefixes' },
      { name: 'size', type: 'string', choices: ['default', 'tiny'], default: 'default', help: 'the built-in dataset the notebooks use' },
    ],
  });
  const runs = flags.number('runs')!;
  const prefixes = flags.strings('notebooks')!;
  const size = flags.string('size')!;
  if (!findJupyter()?.tslabRegistered) throw new Error('Jupyter with the tslab kernel is needed (see README)');
  const notebooks = listNotebooks().filter((nb) => prefixes.some((p) => path.basename(nb).startsWith(p)));
  if (!notebooks.length) throw new Error(`no notebook matches ${prefixes.join(',')}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-soak-'));

  const plain = attempt(stressNotebook(scratch, false), scratch, {});
  const queued = attempt(stressNotebook(scratch, true), scratch, {});
  console.log(`stress cell, 1500 display updates: plain tslab ${plain.ok ? 'ok' : `FAILED (${plain.error})`}; with lacuna ${queued.ok ? 'ok' : `FAILED (${queued.error})`}`);

  const seconds: number[] = [];
  const errors: string[] = [];
  for (let r = 1; r <= runs; r++) {
    const outputs = path.join(scratch, `run-${r}`);
    for (const nb of notebooks) {
      const res = attempt(nb, path.join(outputs, 'notebooks'), { LACUNA_OUTPUT_DIR: outputs, LACUNA_NOTEBOOK_SIZE: size });
      seconds.push(Math.round(res.seconds));
      if (!res.ok) errors.push(`run ${r} ${path.basename(nb)}: ${res.error}`);
      console.log(`run ${r}/${runs} ${path.basename(nb)}: ${res.ok ? 'ok' : 'FAILED'} in ${res.seconds.toFixed(0)} s${res.error ? ` — ${res.error}` : ''}`);
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(JSON.stringify({
    bench: 'soak', runs, notebooks: notebooks.map((nb) => path.basename(nb, '.ipynb')), size,
    failures: errors.length, seconds, errors,
    stress_plain_tslab_failed: !plain.ok, stress_with_lacuna_failed: !queued.ok,
  }));
}

main();
