/** The pretrained YAMNet: TFLite reading, front end, tfjs network, dataset embeddings. */
export { parseTflite, tensorValues, sizeOf, BUILTIN } from './tflite';
export type { TfliteModel, TfliteTensor, TfliteOperator, Quantization, ConvOptions } from './tflite';
export { zipEntries, readZipEntry, readZipText } from './zip';
export type { ZipEntry } from './zip';
export { extractYamnetWeights } from './weights';
export type { YamnetWeights, ConvLayerWeights, ActivationQuant } from './weights';
export { YamnetNetwork, PATCH_FRAMES, PATCH_BANDS } from './network';
export type { YamnetNetworkOptions, YamnetOutputs } from './network';
export { waveformToPatches, patchCount, readFileFrontend, YAMNET_SAMPLE_RATE } from './frontend';
export type { FileFrontend } from './frontend';
export { locateYamnet, yamnetCandidates, sha256Of, YAMNET_SHA256, YAMNET_URL, YAMNET_HELP, DEFAULT_YAMNET_PATH } from './locate';
export { loadYamnet, readYamnetFile, classifyWaveform, topClasses } from './model';
export type { Yamnet, YamnetFile, LoadYamnetOptions, Classification } from './model';
export { embedWaveforms, cachedEmbeddings, embeddingKey, fitMinMax, scaleClip } from './embeddings';
export type { WaveformScaling, MinMax, EmbedOptions, CachedEmbeddings } from './embeddings';
