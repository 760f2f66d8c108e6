/**
 * The send queue lacuna puts on a tslab kernel's zeromq sockets, on real zeromq sockets: without
 * it, sending as tslab does (many sends, none awaited) throws EBUSY once zeromq defers a write;
 * with it, every message arrives, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import { isZmqBusy, serialiseSends } from '../lib/util/zmq-sends';

async function pair(): Promise<{ pub: zmq.Publisher; sub: zmq.Subscriber }> {
  const pub = new zmq.Publisher();
  await pub.bind('tcp://127.0.0.1:*');
  const sub = new zmq.Subscriber();
  sub.connect(pub.lastEndpoint!);
  sub.subscribe();
  // A subscription takes a moment to reach the publisher; until then messages are dropped.
  let arrived = false;
  const first = sub.receive().then(() => { arrived = true; });
  for (let i = 0; i < 200 && !arrived; i++) {
    await pub.send('probe');
    await new Promise((r) => setTimeout(r, 20));
  }
  await first;
  return { pub, sub };
}

async function drainProbes(sub: zmq.Subscriber): Promise<string> {
  for (;;) {
    const [m] = await sub.receive();
    if (m.toString() !== 'probe') return m.toString();
  }
}

test('unqueued sends in one turn of the event loop hit EBUSY; serialised sends all arrive in order', async () => {
  const before = await pair();
  let thrown: unknown;
  let sent = 0;
  try {
    for (; sent < 2000; sent++) void before.pub.send(`m${sent}`).catch(() => undefined);
  } catch (err) { thrown = err; }
  assert.ok(isZmqBusy(thrown), `expected EBUSY without the queue, got ${String(thrown)}`);
  assert.ok(sent > 100 && sent < 2000, `EBUSY after ${sent} sends`);
  before.pub.close();
  before.sub.close();

  serialiseSends(zmq.Socket as unknown as { prototype: object });
  const { pub, sub } = await pair();
  const total = 3000;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) sends.push(pub.send(`m${i}`));
  await Promise.all(sends);
  const first = await drainProbes(sub);
  const received = [first];
  while (received.length < total) received.push((await sub.receive())[0].toString());
  assert.deepEqual(received, Array.from({ length: total }, (_, i) => `m${i}`));
  pub.close();
  sub.close();
});

test('serialiseSends patches a class once and keeps a free socket synchronous', async () => {
  serialiseSends(zmq.Socket as unknown as { prototype: object });
  const patched = (zmq.Socket.prototype as unknown as { send: unknown }).send;
  serialiseSends(zmq.Socket as unknown as { prototype: object });
  assert.equal((zmq.Socket.prototype as unknown as { send: unknown }).send, patched, 'idempotent');
  const { pub, sub } = await pair();
  await pub.send('one');
  assert.equal(await drainProbes(sub), 'one');
  pub.close();
  sub.close();
});
