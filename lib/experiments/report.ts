import * as path from 'path';
import { writeFileAtomic } from '../util/atomic';
import { figureToHtml } from '../plots/html';
import { confusionFigure, foldAccuracyFigure, overviewFigure } from '../plots/results';
import { loadRunSummaries, writeOverviewCsv } from './results';
import type { RunSummary } from './types';

/** Writes confusion.html and folds.html (standalone, offline) beside a run's results. */
export function writeRunFigures(summary: RunSummary): string[] {
  const files: [string, ReturnType<typeof confusionFigure>][] = [
    ['confusion.html', confusionFigure(summary)],
    ['folds.html', foldAccuracyFigure(summary)],
  ];
  return files.map(([name, fig]) => {
    const file = path.join(summary.dir, name);
    writeFileAtomic(file, figureToHtml(fig, { standalone: true, title: `${summary.model} ${summary.mode} ${summary.label}: ${name.replace('.html', '')}` }));
    return file;
  });
}

/**
 * Collects every run of a model under `root` into overview.csv and overview.html
 * (accuracy against missing samples). Returns the summaries and the files written.
 */
export function writeOverview(root: string, model: string, options: { clipSamples?: number } = {}): { summaries: RunSummary[]; files: string[] } {
  const summaries = loadRunSummaries(root, model);
  if (!summaries.length) return { summaries, files: [] };
  const csv = writeOverviewCsv(root, model, summaries);
  const html = path.join(root, model, 'overview.html');
  writeFileAtomic(html, figureToHtml(overviewFigure(summaries, options), { standalone: true, title: `${model}: accuracy against missing samples` }));
  return { summaries, files: [csv, html] };
}
