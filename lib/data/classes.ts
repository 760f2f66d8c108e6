/**
 * Class indices. A model has exactly one output per class that has clips, so indices are always
 * 0..K-1, whatever ids the source uses: layouts with numeric ids (UrbanSound8K `classID`, ESC-50
 * `target`) are ordered by ascending source id, and the source id is kept beside the index
 * (labels.csv's `sourceClassId`); layouts that name classes (manifest, folders) are ordered by name.
 * A metadata file that lists a subset of classes (ESC-10's targets 0, 1, 10, 11, …) thus gives a
 * K-way model, not one with placeholder outputs for the ids in between.
 */
import { DatasetError } from '../util/errors';

export interface ClassIndex {
  classNames: string[];
  /** Source id of each class index; undefined for layouts that only name classes. */
  sourceClassIds?: number[];
}

/** Classes of a layout with numeric ids, from (source id → name) pairs of the rows that have clips. */
export function indexBySourceId(pairs: Map<number, string>, file: string): ClassIndex & { indexOf: Map<number, number> } {
  const ids = [...pairs.keys()].sort((a, b) => a - b);
  const classNames = ids.map((id) => pairs.get(id)!);
  const twice = classNames.find((name, i) => classNames.indexOf(name) !== i);
  if (twice !== undefined) throw new DatasetError(`${file}: class "${twice}" has two class ids (${ids.filter((id) => pairs.get(id) === twice).join(', ')})`);
  return { classNames, sourceClassIds: ids, indexOf: new Map(ids.map((id, i) => [id, i])) };
}

/**
 * Drops classes left without clips (every clip of the class was unreadable) and re-indexes the
 * rest 0..K-1 in the same order.
 */
export function keepClassesWithClips<C extends { classIndex: number }>(clips: C[], classes: ClassIndex): ClassIndex & { clips: C[] } {
  const present = [...new Set(clips.map((c) => c.classIndex))].sort((a, b) => a - b);
  const newIndex = new Map(present.map((old, i) => [old, i]));
  return {
    classNames: present.map((i) => classes.classNames[i]),
    sourceClassIds: classes.sourceClassIds && present.map((i) => classes.sourceClassIds![i]),
    clips: present.length === classes.classNames.length ? clips : clips.map((c) => ({ ...c, classIndex: newIndex.get(c.classIndex)! })),
  };
}
