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

export function tslabModule(): TslabModule | undefined {
  const inKernel = Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]executor\.js$/.test(k));
  if (!inKernel) return undefined;
  try {
    return require('tslab') as TslabModule;
  } catch {
    return undefined;
  }
}
