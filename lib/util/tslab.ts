/**
 * tslab's display API when this code runs inside a tslab kernel, undefined elsewhere. The kernel
 * is recognised by its executor module being loaded; requiring 'tslab' outside a kernel would
 * give functions that fail when called.
 */
export interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

interface TslabModule {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

let guarded = false;

function isZmqBusy(reason: unknown): boolean {
  const e = reason as { code?: string; message?: string } | undefined;
  return e?.code === 'EBUSY' && /Socket is busy writing/.test(e.message ?? '');
}

/**
 * tslab sends every output on its zeromq socket without awaiting the previous send; when
 * Jupyter reads slower than a cell writes, the next send rejects with EBUSY, nobody handles the
 * rejection, and the kernel ends ("Kernel died") — the wasm backend's Emscripten glue even
 * rethrows every unhandled rejection. Dropping that one output is the lesser harm (live progress
 * lines are overwritten anyway), so inside a kernel this one rejection is marked handled before
 * any listener sees it; every other rejection behaves as before.
 */
export function guardZmqBusy(): void {
  if (guarded) return;
  guarded = true;
  const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
  (process as unknown as { emit: (event: string, ...args: unknown[]) => boolean }).emit = (event: string, ...args: unknown[]) => {
    if (event === 'unhandledRejection' && isZmqBusy(args[0])) return true;
    return emit(event, ...args);
  };
}

export function tslabModule(): TslabModule | undefined {
  const inKernel = Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]executor\.js$/.test(k));
  if (!inKernel) return undefined;
  try {
    const tslab = require('tslab') as TslabModule;
    guardZmqBusy();
    return tslab;
  } catch {
    return undefined;
  }
}
