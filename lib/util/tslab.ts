/**
 * tslab's display API when this code runs inside a tslab kernel, undefined elsewhere. The kernel
 * is recognised by its executor module being loaded; requiring 'tslab' outside a kernel would
 * give functions that fail when called. Inside a kernel, lacuna also makes the kernel's own
 * output channel safe for long cells (see installKernelGuards).
 */
import { isZmqBusy, isZmqClosed, serializeSends } from './zmq-sends';

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

/**
 * A last line of defence kept from before the send queue: should an EBUSY rejection still escape
 * (a socket created by a zeromq copy lacuna did not patch), drop that one output rather than let
 * the wasm backend's Emscripten glue, which rethrows every unhandled rejection, end the kernel.
 * Likewise for sends still queued when tslab closes its sockets on a shutdown request (a restart):
 * tslab does not await them, and the kernel would die with "Socket is closed" instead of exiting.
 * Every other rejection behaves as before.
 */
export function guardZmqBusy(): void {
  if (guarded) return;
  guarded = true;
  const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
  (process as unknown as { emit: (event: string, ...args: unknown[]) => boolean }).emit = (event: string, ...args: unknown[]) => {
    if (event === 'unhandledRejection' && (isZmqBusy(args[0]) || isZmqClosed(args[0]))) return true;
    return emit(event, ...args);
  };
}

/** True when this process is a tslab kernel. */
export function inTslabKernel(): boolean {
  return Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]executor\.js$/.test(k));
}

/**
 * Works around a tslab bug (it sends every output on zeromq without waiting for the previous
 * send; lib/util/zmq-sends explains how that kills long cells): every zeromq copy the kernel has
 * loaded gets serialised sends. Only the kernel's sockets exist in this process, so nothing else
 * changes. Idempotent; a no-op outside a kernel.
 */
export function installKernelGuards(): void {
  if (!inTslabKernel()) return;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!/[\\/]zeromq[\\/]lib[\\/]index\.js$/.test(file)) continue;
    const socket = (mod?.exports as { Socket?: { prototype: object } } | undefined)?.Socket;
    if (socket) serializeSends(socket);
  }
  guardZmqBusy();
}

export function tslabModule(): TslabModule | undefined {
  if (!inTslabKernel()) return undefined;
  try {
    const tslab = require('tslab') as TslabModule;
    installKernelGuards();
    return tslab;
  } catch {
    return undefined;
  }
}

// Importing lacuna in a kernel is enough: outputs a cell prints before its first display call
// (console.log, an error report) go through the same sockets.
installKernelGuards();
