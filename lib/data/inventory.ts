/**
 * A dataset's audio as it came in, before lacuna resamples, mixes down, normalises and pads it:
 * each listed file's sample rate, channels, sample format and duration, read from its WAV header
 * (lib/audio/io's checks, so a file the cache skips is reported here with the same reason).
 */
import * as fs from 'fs';
import { wavInfo } from '../audio/io';
import { LacunaError } from '../util/errors';
import { createProgress } from '../util/progress';
import type { DatasetIndex } from '../types';

export interface SourceClip {
  id: string;
  className: string;
  fold: number;
  sampleRate: number;
  channels: number;
  /** e.g. 'pcm16', 'pcm24', 'float32'. */
  format: string;
  durationSec: number;
}

export interface SourceInventory {
  clips: SourceClip[];
  /** Files that could not be read, and why. */
  unreadable: { id: string; path: string; problem: string }[];
}

/** Reads every listed file's WAV header facts; unreadable files are listed, not fatal. */
export function sourceInventory(index: Pick<DatasetIndex, 'clips'>, options: { quiet?: boolean } = {}): SourceInventory {
  const clips: SourceClip[] = [];
  const unreadable: SourceInventory['unreadable'] = [];
  const progress = createProgress({ total: index.clips.length, label: 'reading WAV headers', quiet: options.quiet });
  for (const c of index.clips) {
    try {
      const info = wavInfo(fs.readFileSync(c.path), c.path);
      clips.push({
        id: c.id, className: c.className, fold: c.fold, sampleRate: info.sampleRate, channels: info.channels,
        format: `${info.encoding}${info.bitDepth}`, durationSec: info.frames / info.sampleRate,
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (!(err instanceof LacunaError) && !e.code) throw err;
      unreadable.push({ id: c.id, path: c.path, problem: err instanceof LacunaError ? err.message : `cannot read (${e.code})` });
    }
    progress.tick(1);
  }
  progress.done();
  return { clips, unreadable };
}

/** Clips per (sample rate, channels, format), most common first. */
export function formatCounts(clips: readonly SourceClip[]): { sample_rate_hz: number; channels: number; format: string; clips: number }[] {
  const counts = new Map<string, { sample_rate_hz: number; channels: number; format: string; clips: number }>();
  for (const c of clips) {
    const key = `${c.sampleRate}/${c.channels}/${c.format}`;
    const row = counts.get(key) ?? { sample_rate_hz: c.sampleRate, channels: c.channels, format: c.format, clips: 0 };
    row.clips++;
    counts.set(key, row);
  }
  return [...counts.values()].sort((a, b) => b.clips - a.clips || a.sample_rate_hz - b.sample_rate_hz);
}

/** Clips per duration band, against the clip length the cache pads or cuts to. */
export function durationCounts(clips: readonly SourceClip[], durationSec: number): { duration: string; clips: number; 'then': string }[] {
  const bands = [
    { duration: `under 1 s`, test: (d: number) => d < 1 },
    { duration: `1 s to under ${durationSec} s`, test: (d: number) => d >= 1 && d < durationSec - 1e-3 },
    { duration: `${durationSec} s`, test: (d: number) => Math.abs(d - durationSec) <= 1e-3 },
    { duration: `over ${durationSec} s`, test: (d: number) => d > durationSec + 1e-3 },
  ];
  const then = ['zero-padded', 'zero-padded', 'kept whole', `cut to the first ${durationSec} s`];
  return bands.map((b, i) => ({ duration: b.duration, clips: clips.filter((c) => b.test(c.durationSec)).length, then: then[i] }))
    .filter((r) => r.clips > 0);
}

/** Clips per class and fold, one row per class, with a total. */
export function classFoldCounts(clips: readonly { className: string; fold: number }[], classNames: readonly string[]): Record<string, string | number>[] {
  const folds = [...new Set(clips.map((c) => c.fold))].sort((a, b) => a - b);
  return classNames.map((name) => {
    const row: Record<string, string | number> = { class: name };
    for (const f of folds) row[`fold ${f}`] = clips.filter((c) => c.className === name && c.fold === f).length;
    row.total = clips.filter((c) => c.className === name).length;
    return row;
  });
}
