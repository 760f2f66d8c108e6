/**
 * One send at a time on a zeromq socket, in order, without dropping any.
 *
 * Why: zeromq.js (v6) sends at most 512 messages synchronously per socket; the next one is handed
 * to the event loop, and until the loop turns, every further `send()` throws EBUSY ("Socket is
 * busy writing") synchronously. tslab calls `send()` for every output without awaiting the
 * previous one, so a cell that has emitted ~512 messages and then emits two before the loop turns
 * gets the EBUSY thrown into its own code (from a `display.text()` in a progress line, say), and
 * tslab's report of that error is itself a send that fails, so the cell dies with an empty
 * `<Error>:` and Jupyter waits in vain for the kernel's "idle". Serialising the sends removes the
 * cause: a send that finds the socket busy waits for the write in flight, and later sends queue
 * behind it, so outputs keep their order and none is lost.
 */

type SendFn = (this: object, message: unknown) => Promise<void>;

interface SocketClass { prototype: { send?: SendFn } }

const PATCHED = Symbol.for('lacuna.serialisedSends');

interface SocketState {
  /** The promise of the last send handed to zeromq, while it may still be writing. */
  inFlight?: Promise<void>;
  /** Messages waiting for the socket, oldest first. */
  waiting: { message: unknown; resolve(): void; reject(err: unknown): void }[];
  draining: boolean;
}

export function isZmqBusy(reason: unknown): boolean {
  const e = reason as { code?: string; message?: string } | undefined;
  return e?.code === 'EBUSY' && /busy writing/.test(e.message ?? '');
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Replaces `send` on the class's prototype (once) by a serialised one. The usual case stays
 * synchronous: a send that finds the socket free and nothing queued goes out at once, as before.
 */
export function serialiseSends(socketClass: SocketClass): void {
  const proto = socketClass.prototype as SocketClass['prototype'] & { [PATCHED]?: true };
  const send = proto.send;
  if (proto[PATCHED] || typeof send !== 'function') return;
  const states = new WeakMap<object, SocketState>();
  const stateOf = (socket: object): SocketState => {
    let s = states.get(socket);
    if (!s) states.set(socket, (s = { waiting: [], draining: false }));
    return s;
  };

  const sendNow = (socket: object, state: SocketState, message: unknown): Promise<void> => {
    const p = send.call(socket, message);
    state.inFlight = p;
    return p;
  };

  const drain = async (socket: object, state: SocketState): Promise<void> => {
    state.draining = true;
    try {
      while (state.waiting.length) {
        await state.inFlight?.catch(() => undefined);
        await nextTurn();
        const head = state.waiting[0];
        let sent: Promise<void>;
        try {
          sent = sendNow(socket, state, head.message);
        } catch (err) {
          if (isZmqBusy(err)) continue; // the write in flight has not finished: try on the next turn
          state.waiting.shift();
          head.reject(err);
          continue;
        }
        state.waiting.shift();
        sent.then(head.resolve, head.reject);
      }
    } finally {
      state.draining = false;
    }
  };

  const serialised: SendFn = function (this: object, message: unknown): Promise<void> {
    const state = stateOf(this);
    if (state.waiting.length === 0) {
      try {
        return sendNow(this, state, message);
      } catch (err) {
        if (!isZmqBusy(err)) throw err;
      }
    }
    return new Promise<void>((resolve, reject) => {
      state.waiting.push({ message, resolve, reject });
      if (!state.draining) void drain(this, state);
    });
  };
  Object.defineProperty(proto, 'send', { value: serialised, writable: true, configurable: true });
  Object.defineProperty(proto, PATCHED, { value: true });
}
