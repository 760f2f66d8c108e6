/**
 * One send at a time on a zeromq socket, in order, none lost.
 *
 * Why: tslab calls `send()` for every output without awaiting the previous one, and zeromq.js
 * (v6) loses such outputs in two ways, both seen in long notebook cells:
 * - it sends at most 512 messages synchronously per socket; the next one is handed to the event
 *   loop, and until the loop turns every further `send()` throws EBUSY ("Socket is busy
 *   writing") synchronously, into whatever code was printing (a progress line in a training
 *   loop). tslab's report of that error is itself a send that fails, so the cell died with an
 *   empty `<Error>:` and Jupyter waited in vain for the kernel's "idle";
 * - a publisher (the kernel's output socket) silently drops messages while Jupyter reads slower
 *   than the cell writes (the high-water mark, 1000 messages by default).
 * Sending one message at a time, each after the previous one has gone, with the publisher told
 * not to drop (it then answers EAGAIN, and the message is sent again a moment later), removes
 * both: outputs keep their order and none is lost. The first send of a burst still goes out
 * synchronously, as before.
 */

type SendFn = (this: object, message: unknown) => Promise<void>;

interface SocketClass { prototype: { send?: SendFn } }

const PATCHED = Symbol.for('lacuna.serializedSends');

interface SocketState {
  /** Messages not yet sent, oldest first; the head is being sent while `draining`. */
  waiting: { message: unknown; resolve(): void; reject(err: unknown): void }[];
  draining: boolean;
}

function errorCode(reason: unknown): string | undefined {
  return (reason as { code?: string } | undefined)?.code;
}

export function isZmqBusy(reason: unknown): boolean {
  return errorCode(reason) === 'EBUSY' && /busy writing/.test((reason as { message?: string }).message ?? '');
}

/** A send to a socket the kernel has closed (at shutdown or restart): the message has nowhere to go. */
export function isZmqClosed(reason: unknown): boolean {
  return errorCode(reason) === 'EBADF' && /Socket is closed/.test((reason as { message?: string }).message ?? '');
}

/** The publisher is at its high-water mark (with noDrop): nothing was sent, try again. */
function isFull(reason: unknown): boolean {
  return errorCode(reason) === 'EAGAIN';
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const shortly = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

/**
 * Asks a publisher to refuse rather than drop at its high-water mark; other sockets have no such option.
 * zeromq.js warns that an option set on a bound socket waits for the next bind, but libzmq's
 * publisher reads this one at every send, so it applies at once: the warning would only land in
 * the user's cell as a stray stderr output, and is kept out.
 */
function refuseToDrop(socket: object): void {
  if (!('noDrop' in socket)) return;
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  try {
    (socket as { noDrop: boolean }).noDrop = true;
  } catch { /* closed: nothing left to keep */ } finally {
    process.emitWarning = emitWarning;
  }
}

/** Replaces `send` on the class's prototype (once) by a serialised one that never drops a message. */
export function serializeSends(socketClass: SocketClass): void {
  const proto = socketClass.prototype as SocketClass['prototype'] & { [PATCHED]?: true };
  const send = proto.send;
  if (proto[PATCHED] || typeof send !== 'function') return;
  const states = new WeakMap<object, SocketState>();

  const drain = async (socket: object, state: SocketState): Promise<void> => {
    state.draining = true;
    try {
      while (state.waiting.length) {
        const head = state.waiting[0];
        try {
          await send.call(socket, head.message);
        } catch (err) {
          if (isZmqBusy(err)) { await nextTurn(); continue; }
          if (isFull(err)) { await shortly(); continue; }
          state.waiting.shift();
          head.reject(err);
          continue;
        }
        state.waiting.shift();
        head.resolve();
      }
    } finally {
      state.draining = false;
    }
  };

  const serialised: SendFn = function (this: object, message: unknown): Promise<void> {
    let state = states.get(this);
    if (!state) {
      refuseToDrop(this);
      states.set(this, (state = { waiting: [], draining: false }));
    }
    const queued = new Promise<void>((resolve, reject) => state!.waiting.push({ message, resolve, reject }));
    if (!state.draining) void drain(this, state);
    return queued;
  };
  Object.defineProperty(proto, 'send', { value: serialised, writable: true, configurable: true });
  Object.defineProperty(proto, PATCHED, { value: true });
}
