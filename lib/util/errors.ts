/**
 * One error type per concern, raised at the edge with the file or parameter named, so users
 * never have to read a stack trace from deep inside tfjs.
 */
export class LacunaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A parameter outside its allowed range or of the wrong kind. */
export class ParameterError extends LacunaError {}

/** An audio file that cannot be read or holds unusable samples. */
export class AudioFileError extends LacunaError {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
  }
}

/** A dataset whose layout or metadata is wrong (missing CSV, bad rows, missing files). */
export class DatasetError extends LacunaError {}

/** A model file that is missing or not what lacuna expects. */
export class ModelError extends LacunaError {}

/** A results folder that already holds a run made with a different configuration. */
export class ConfigMismatchError extends LacunaError {}

/** Throws a ParameterError in the speech-commands style: what was expected, what came. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ParameterError(message);
}

/** An error as a worker thread posts it: structured cloning would keep the message but not the class. */
export interface ErrorReport {
  name: string;
  message: string;
  stack?: string;
}

export function reportError(err: unknown): ErrorReport {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, stack: e.stack };
}

const FRAME = /^\s+at /;

/**
 * The main thread's error for a worker's failure: the message says which worker and what went
 * wrong, and the stack shows where it went wrong in the worker, then where the main thread waited.
 */
export function errorFromWorker(make: (message: string) => Error, where: string, report: ErrorReport): Error {
  const name = report.name && report.name !== 'Error' ? `${report.name}: ` : '';
  const err = make(`${where}: ${name}${report.message}`);
  const workerFrames = (report.stack ?? '').split('\n').filter((l) => FRAME.test(l));
  const ownFrames = (err.stack ?? '').split('\n').filter((l) => FRAME.test(l));
  if (workerFrames.length) {
    const waited = '    -- in the worker thread; the main thread waited at:';
    err.stack = [`${err.name}: ${err.message}`, ...workerFrames, waited, ...ownFrames].join('\n');
  }
  return err;
}
