import { Command } from '../main';
import { Flags } from '../args';
import { outcomeSummary, requireJupyter, runNotebooks } from './notebooks';
import { JUPYTER_INSTALL_HELP, findJupyter } from '../../notebook/runner';
import { initEngine } from '../../engine';
import { trainTinyModel } from '../../models/tiny';
import { locateYamnet } from '../../models/yamnet/locate';

/** The notebooks that make up the demo, in story order; 03 needs the YAMNet model (04 skips its YAMNet part without it). */
function demoNotebooks(): string[] {
  try {
    locateYamnet();
    return ['00', '01', '02', '03', '04', '05', '06'];
  } catch (err) {
    console.error(`lacuna demo: skipping 03_yamnet: ${(err as Error).message}`);
    return ['00', '01', '02', '04', '05'];
  }
}

/** What the demo notebooks do, as CLI steps, for machines without Jupyter. */
async function runWithoutJupyter(size: string | undefined): Promise<void> {
  const { main } = await import('../main');
  const t = await trainTinyModel({ steps: 20 });
  console.log(`00 engine: trained a tiny conv net for 20 steps on ${t.backend}: loss ${t.losses[0].toFixed(3)} → ${t.losses[t.losses.length - 1].toFixed(3)}, accuracy ${t.accuracy.toFixed(2)}`);
  const sizeArgs = size ? ['--size', size] : [];
  const steps: [string, string[]][] = [
    ['01 data creation', ['data', '--dataset', 'synthetic-urban', ...sizeArgs]],
    ['02 classification', ['classify', '--dataset', 'synthetic-urban', ...sizeArgs]],
    ['02 classification, gaps at test time', ['classify', '--dataset', 'synthetic-urban', '--corrupt-test', '--multiple', '--corruption-size', '8000', ...sizeArgs]],
  ];
  if (demoNotebooks().includes('03')) steps.push(['03 YAMNet', ['classify', '--pretrained', '--dataset', 'synthetic-urban', ...sizeArgs]]);
  steps.push(['05 reconstruction', ['reconstruct', '--method', 'ar', '--corruption-size', '480', '--dataset', 'synthetic-urban', ...sizeArgs]]);
  if (demoNotebooks().includes('06')) steps.push(['06 classification after reconstruction', ['study', '--quick', '--models', 'yamnet', '--dataset', 'synthetic-urban', ...sizeArgs]]);
  for (const [step, args] of steps) {
    console.log(`${step}: lacuna ${args.join(' ')}`);
    const code = await main([...args]);
    if (code !== 0) throw new Error(`${step} failed (exit ${code})`);
  }
}

export const command: Command = {
  summary: 'run the main job on the built-in dataset: the demo notebooks, or the same steps via the CLI without Jupyter',
  usage: 'lacuna demo [--size tiny|default] [--engine onnx|node|wasm|cpu] [--no-notebooks]',
  async run(flags: Flags) {
    const size = flags.string('size');
    const engine = flags.string('engine') as 'onnx' | 'node' | 'wasm' | 'cpu' | undefined;
    const info = await initEngine({ engine });
    console.log(`engine: ${info.name} (${info.reason}); inference: ${info.inference === 'onnx' ? 'onnx' : info.name}`);
    if (flags.bool('no-notebooks') || !findJupyter()) {
      if (!flags.bool('no-notebooks')) console.error(`${JUPYTER_INSTALL_HELP}\n\nRunning the same steps through the CLI instead.\n`);
      await runWithoutJupyter(size);
      return 0;
    }
    requireJupyter();
    const env: Record<string, string> = {};
    if (size) env.LACUNA_NOTEBOOK_SIZE = size;
    if (engine) env.LACUNA_ENGINE = engine;
    const outcome = runNotebooks(demoNotebooks(), env);
    const summary = outcomeSummary(outcome, `npm run demo${size ? ` -- --size ${size}` : ''}`);
    if (outcome.failed) { console.error(`\nlacuna demo: ${summary}`); return 1; }
    console.log(`\nlacuna demo: ${summary}`);
    return 0;
  },
};
