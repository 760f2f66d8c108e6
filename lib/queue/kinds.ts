import type { JobKind } from './job-kind';
import { cvUnitKind } from './cv-unit';
import { reconstructFoldKind } from './reconstruct';
import { tunePointKind } from './tune';
import { afterRepairKind } from './after-repair';
import { ganTrainKind } from './gan';

export type { JobKind, KindContext } from './job-kind';

/** Every kind a worker runs. A new kind (a tuning point, a reconstruction model) adds one entry. */
export const JOB_KINDS: Readonly<Record<string, JobKind>> = {
  [cvUnitKind.kind]: cvUnitKind as JobKind,
  [reconstructFoldKind.kind]: reconstructFoldKind as JobKind,
  [tunePointKind.kind]: tunePointKind as JobKind,
  [afterRepairKind.kind]: afterRepairKind as JobKind,
  [ganTrainKind.kind]: ganTrainKind as JobKind,
};
