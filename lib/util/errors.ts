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
