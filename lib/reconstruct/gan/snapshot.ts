import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../util/errors';
import { GanNets, makeOptimizers } from './step';
// Registers the generator's custom layer, so every thread that loads a generator can rebuild it.
import './bridge';

/**
 * Both networks and both optimizers' state as plain, structured-clonable data: what a
 * checkpoint stores and what a worker thread starts its replica from.
 */
export interface GanSnapshot {
  generator: tf.io.ModelArtifacts;
  discriminator: tf.io.ModelArtifacts;
  /** Adam state of both networks (iterations, first and second moments), names prefixed g/ and d/. */
  optimizerSpecs: tf.io.WeightsManifestEntry[];
  optimizerData: ArrayBuffer;
}

export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!saved) throw new ModelError(`model ${model.name} could not be serialised`);
  return saved;
}

export async function snapshotNets(nets: GanNets): Promise<GanSnapshot> {
  const named = [
    ...(await nets.gOptimizer.getWeights()).map((w) => ({ name: `g/${w.name}`, tensor: w.tensor })),
    ...(await nets.dOptimizer.getWeights()).map((w) => ({ name: `d/${w.name}`, tensor: w.tensor })),
  ];
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    generator: await modelArtifacts(nets.generator),
    discriminator: await modelArtifacts(nets.discriminator),
    optimizerSpecs: specs, optimizerData: data,
  };
}

export async function loadModelArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

export async function netsFromSnapshot(snapshot: GanSnapshot): Promise<GanNets> {
  const generator = await loadModelArtifacts(snapshot.generator);
  const discriminator = await loadModelArtifacts(snapshot.discriminator);
  const nets: GanNets = { generator, discriminator, ...makeOptimizers() };
  const decoded = tf.io.decodeWeights(snapshot.optimizerData, snapshot.optimizerSpecs);
  // Spec order is the order getWeights gave: iterations, then moments in weight order.
  const part = (prefix: string) => snapshot.optimizerSpecs
    .filter((s) => s.name.startsWith(prefix))
    .map((s) => ({ name: s.name.slice(prefix.length), tensor: decoded[s.name] }));
  await nets.gOptimizer.setWeights(part('g/'));
  await nets.dOptimizer.setWeights(part('d/'));
  tf.dispose(Object.values(decoded));
  return nets;
}

export function disposeNets(nets: GanNets): void {
  nets.generator.dispose();
  nets.discriminator.dispose();
  nets.gOptimizer.dispose();
  nets.dOptimizer.dispose();
}
