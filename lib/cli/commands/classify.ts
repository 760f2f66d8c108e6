import * as path from 'path';
import type { Command } from '../command';
import { initEngine } from '../../engine';
import { writeOverview } from '../../experiments';
import { DATASET_GROUP } from '../flags/dataset';
import { TRAINING_GROUP } from '../flags/training';
import { EXPERIMENT_GROUP, readExperimentFlags } from '../flags/experiment';
import { CORRUPTION_MODE_GROUP, GAP_MODEL_GROUP, modeFromFlags, readGapModel } from '../flags/gaps';
import { crossValOptions, prepareExperiment, printSummary } from '../experiment';

export const command: Command = {
  summary: 'leave-one-fold-out classification, clean or with gaps (CNN on 8 kHz waveforms, or --pretrained YAMNet)',
  usage: 'lacuna classify [--corrupt-train] [--corrupt-test] [gap flags] [experiment flags] [dataset flags]',
  options: [CORRUPTION_MODE_GROUP, GAP_MODEL_GROUP, EXPERIMENT_GROUP, TRAINING_GROUP, DATASET_GROUP],
  notes: `Results: <output>/<model>/<mode>/<length>-<gap model>/ (NC: <model>/NC/clean/), resumable per fold;
<output> is outputs/results/<dataset name> unless --output is given.`,
  async run(flags) {
    const f = readExperimentFlags(flags);
    const mode = modeFromFlags(flags);
    const gapModel = readGapModel(flags);
    const engine = await initEngine({ engine: f.engine });
    const e = await prepareExperiment(f);
    const { runCrossValidation } = await import('../../experiments/crossval');
    const runs = [{ mode, gapModel: mode === 'NC' ? undefined : gapModel }];
    const [summary] = await runCrossValidation({ ...crossValOptions(f, e), runs });
    printSummary(summary);
    const name = e.modelName ?? e.provider.name;
    const { files } = writeOverview(e.root, name, { clipSamples: e.dataset.clipSamples });
    if (files.length) console.log(`overview of all ${name} runs → ${path.relative(process.cwd(), files[1])}`);
    if (engine.name === 'cpu') console.error('note: the cpu engine trains convolutions very slowly; prefer wasm or node');
    return 0;
  },
};
