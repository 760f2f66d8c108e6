/**
 * Progress for long work: a redrawn bar on a terminal, a single live line in a tslab notebook
 * (one display entry overwritten in place), and sparse plain lines in logs and CI. Progress is
 * only ever a view: nothing the computation needs passes through it, and it never throws.
 */
export interface Progress {
  tick(n?: number, note?: string): void;
  /** Advances past work found already done (resumed): it moves the bar but not the speed the time left is estimated from. */
  skip(n: number, note?: string): void;
  done(note?: string): void;
  /** Leaves the line where the work stopped (an error, an interrupt), with the reason; no more updates. */
  stop(note: string): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** Silence all output (tests, nested loops). */
  quiet?: boolean;
}

import { tslabModule } from './tslab';

/**
 * How often progress off a terminal (a log under nohup, tmux, a service manager) prints a plain
 * line even when nothing ticks: $LACUNA_PROGRESS_SECONDS, default 30 s.
 */
export function plainIntervalMs(): number {
  const s = Number(process.env.LACUNA_PROGRESS_SECONDS ?? 30);
  return Math.max(100, (Number.isFinite(s) && s > 0 ? s : 30) * 1000);
}

export function formatSeconds(s: number): string {
  if (!isFinite(s)) return '?';
  const r = Math.round(s); // rounded first: 119.6 s is 2m00s, never 1m60s
  if (r < 60) return `${r}s`;
  return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
}

/** Where the progress of nested work goes while a multi-step task (lacuna study) shows one line for all. */
export type ProgressSink = (fraction: number, note?: string) => void;
let currentSink: ProgressSink | undefined;

/**
 * Runs `work` with every progress created inside it reporting its fraction done to `sink` instead
 * of drawing: the caller folds the steps' progress into one line. Steps run one at a time.
 */
export async function reportingTo<T>(sink: ProgressSink, work: () => Promise<T>): Promise<T> {
  const previous = currentSink;
  currentSink = sink;
  try {
    return await work();
  } finally {
    currentSink = previous;
  }
}

export function createProgress(options: ProgressOptions): Progress {
  const sink = currentSink;
  if (sink) {
    let count = 0;
    const report = (note?: string) => sink(options.total > 0 ? Math.min(1, count / options.total) : 1, note);
    return {
      tick(n = 1, note) { count += n; report(note); },
      skip(n, note) { count += n; report(note); },
      done(note) { count = options.total; report(note); },
      stop: () => undefined,
    };
  }
  const { total, label } = options;
  const start = Date.now();
  let count = 0;
  let skipped = 0;
  let lastDraw = 0;
  let lastPlainDecile = -1;
  let stopped = false;
  const quiet = options.quiet || process.env.LACUNA_QUIET === '1';
  const live = quiet ? undefined : tslabModule()?.newDisplay();
  const tty = !quiet && !live && Boolean(process.stderr.isTTY);

  const line = (note?: string): string => {
    const elapsed = (Date.now() - start) / 1000;
    const frac = total > 0 ? Math.min(1, count / total) : 1;
    const worked = count - skipped;
    const eta = worked > 0 ? (elapsed / worked) * (total - count) : Infinity;
    const width = 28;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const tail = stopped ? `stopped after ${formatSeconds(elapsed)}`
      : count < total ? `eta ${formatSeconds(eta)}` : `in ${formatSeconds(elapsed)}`;
    return `${label} ${bar} ${count}/${total} (${(frac * 100).toFixed(0)}%) ${tail}${note ? ' · ' + note : ''}`;
  };

  // In a notebook the line is a display update: at most one a second, the latest state only (a
  // trailing update shows where ticks stopped), and a failed update never reaches the work.
  let trailing: ReturnType<typeof setTimeout> | undefined;
  let lastNote: string | undefined;
  const showLive = (note?: string): void => {
    if (trailing) { clearTimeout(trailing); trailing = undefined; }
    lastDraw = Date.now();
    try { live!.text(line(note)); } catch { /* the next update will try again */ }
  };
  const draw = (force: boolean, note?: string): void => {
    if (quiet || stopped) return;
    const now = Date.now();
    if (live) {
      lastNote = note;
      if (force || now - lastDraw > 1000) showLive(note);
      else if (!trailing) {
        trailing = setTimeout(() => showLive(lastNote), 1000 - (now - lastDraw));
        trailing.unref();
      }
    } else if (tty) {
      if (force || now - lastDraw > 100) { process.stderr.write('\r\x1b[2K' + line(note)); lastDraw = now; }
    } else {
      lastNote = note ?? lastNote;
      const decile = total > 0 ? Math.floor((count / total) * 10) : 10;
      if (force || decile > lastPlainDecile || now - lastDraw >= plainEvery) writePlain();
      lastPlainDecile = Math.max(lastPlainDecile, decile);
    }
  };
  // Off a terminal, a line every plainEvery ms whether or not anything ticks: a log must show the
  // work going on (and its time left) through a step that reports nothing for ten minutes.
  const plainEvery = plainIntervalMs();
  const writePlain = (): void => { process.stderr.write(line(lastNote) + '\n'); lastDraw = Date.now(); };
  const heartbeat = quiet || live || tty
    ? undefined : setInterval(() => { if (Date.now() - lastDraw >= plainEvery - 50) writePlain(); }, plainEvery);
  heartbeat?.unref();
  const endHeartbeat = () => { if (heartbeat) clearInterval(heartbeat); };

  return {
    tick(n = 1, note?: string) {
      count += n;
      draw(false, note);
    },
    skip(n: number, note?: string) {
      count += n;
      skipped += n;
      draw(false, note);
    },
    done(note?: string) {
      count = Math.max(count, total);
      endHeartbeat();
      if (!quiet) {
        if (live) showLive(note);
        else if (tty) process.stderr.write('\r\x1b[2K' + line(note) + '\n');
        else if (lastPlainDecile < 10) process.stderr.write(line(note) + '\n');
      }
    },
    stop(note: string) {
      if (stopped) return;
      stopped = true;
      endHeartbeat();
      if (quiet) return;
      if (live) showLive(note);
      else process.stderr.write((tty ? '\r\x1b[2K' : '') + line(note) + '\n');
    },
  };
}
