/**
 * Stopping long work when a notebook user presses Kernel → Interrupt.
 *
 * Jupyter interrupts a tslab kernel with SIGINT. tslab then ends the running cell at once ("Interrupted
 * asynchronously") but cannot stop the promise the cell was awaiting: a training loop would go on in the
 * background, holding the cores, racing the next cell and writing its progress into it. So lacuna counts
 * the kernel's interrupts, and long loops take a checkpoint when they start and pass it between steps:
 * it throws an InterruptedError once an interrupt came after the work began.
 *
 * Only inside a tslab kernel: elsewhere (the CLI, tests) a SIGINT listener would stop Ctrl-C from
 * ending the process, so the checkpoint never throws there and costs nothing.
 */
import { LacunaError } from './errors';
import { inTslabKernel } from './tslab';

/** Long work stopped because the kernel was interrupted. */
export class InterruptedError extends LacunaError {}

let interrupts = 0;
let listening = false;

/**
 * Starts counting SIGINTs, one turn of the event loop later. tslab runs a cell's synchronous part
 * with vm's breakOnSigint, during which Node swaps SIGINT over to a watchdog and afterwards puts
 * back the default action (the process dies); only listeners added after that part get a fresh
 * handler. A listener added inside it (this code runs there when a cell calls lacuna directly)
 * would leave the kernel to be killed by the next interrupt.
 */
function listenForInterrupts(): boolean {
  if (!listening && inTslabKernel()) {
    setImmediate(() => process.on('SIGINT', () => { interrupts++; }));
    listening = true;
  }
  return listening;
}

/** Awaited between steps of long work; rejects with an InterruptedError naming `what`. */
export type Checkpoint = () => Promise<void>;

/**
 * A checkpoint for one piece of work that starts now: interrupts that came before it do not count.
 * Each call lets the event loop turn once, because Node delivers a signal only between turns and a
 * loop of awaited tfjs steps may never leave the microtask queue.
 */
export function interruptCheckpoint(what: string): Checkpoint {
  if (!listenForInterrupts()) return async () => undefined;
  const seen = interrupts;
  return async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (interrupts !== seen) throw new InterruptedError(`${what} interrupted (Kernel → Interrupt)`);
  };
}
