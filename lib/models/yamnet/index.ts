/** The pretrained YAMNet: TFLite reading, front end, tfjs network, dataset embeddings. */
export { parseTflite, tensorValues, sizeOf, BUILTIN } from './tflite';
export type { TfliteModel, TfliteTensor, TfliteOperator, Quantization, ConvOptions } from './tflite';
export { zipEntries, readZipEntry, readZipText } from './zip';
export type { ZipEntry } from './zip';
export { extractYamnetWeights } from './weights';
export type { YamnetWeights, ConvLayerWeights, ActivationQuant } from './weights';
export { YamnetNetwork, PATCH_FRAMES, PATCH_BANDS } from './network';
export type { YamnetNetworkOptions, YamnetOutputs, YamnetBody } from './network';
export { YamnetOnnxNetwork, yamnetOnnxModel } from './onnx';
export {
  waveformToPatches, waveformPatchesAt, melToPatches, patchCount, patchesOfSamples, patchesOfFrames, readFileFrontend,
  YAMNET_SAMPLE_RATE, PATCH_SPAN_SAMPLES, PATCH_HOP_SAMPLES,
} from './frontend';
export type { FileFrontend, MelScale } from './frontend';
export { locateYamnet, yamnetCandidates, sha256Of, YAMNET_SHA256, YAMNET_URL, YAMNET_HELP, DEFAULT_YAMNET_PATH } from './locate';
export { loadYamnet, readYamnetFile, classifyWaveform, meanOverPatches, topClasses } from './model';
export type { Yamnet, YamnetFile, LoadYamnetOptions, Classification } from './model';
export { embedWaveforms, cachedEmbeddings, embeddingKey, fitMinMax, scaleClip, runBatch, noteOnce } from './embeddings';
export type { WaveformScaling, MinMax, EmbedOptions, CachedEmbeddings } from './embeddings';
export { changedWaveformPatches, waveformPatchReuse, reembeddedShare } from './patch-reuse';
export type { PatchReuse } from './patch-reuse';
export { embedMelSpectrograms, cachedMelEmbeddings, melEmbeddingKey, stackMels } from './mel-embeddings';
export type { MelClip, MelStack, MelEmbedOptions } from './mel-embeddings';
export { classifyClips, equalLengthBatches } from './classify';
export type { ClassifyClipsOptions, ClipToClassify } from './classify';
export { embedBatch, embedMelBatch, embedAnyBatch } from './batch';
export type { BatchSettings, MelBatchSettings, AnyBatchSettings, BatchResult } from './batch';
export { YamnetWorkerPool, workerPoolFor, closeWorkerPool } from './pool';
export type { WorkerPoolOptions } from './pool';
