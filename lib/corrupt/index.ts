export type { GapModel, Gap } from './gaps';
export {
  gapModelLabel, validateGapModel, drawGaps, drawSingleGap, drawMultipleGaps, drawPacketLoss, packetSamples, MULTIPLE_ZONES,
} from './gaps';
export type { CorruptedClip, CorruptedDataset } from './apply';
export { corruptClip, corruptDataset, clipRng, gapMask, maskedCount, zeroGaps } from './apply';
