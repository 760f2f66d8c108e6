import * as path from 'path';

/** A path as the commands print it: relative to where lacuna runs, or as given when that is where it runs. */
export function shownPath(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
