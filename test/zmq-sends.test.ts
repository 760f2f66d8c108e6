/**
 * The send queue lacuna puts on a tslab kernel's zeromq sockets, on real zeromq sockets. Without
 * it, sending as tslab does (many sends, none awaited) throws EBUSY once zeromq defers a write,
 * and a publisher drops what a slow reader cannot take; with it, every message arrives, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import { isZmqBusy, serializeSends } from '../lib/util/zmq-sends';

const BIG = 'x'.repeat(100_000); // large messages fill the socket buffers quickly

async function pair(highWaterMark?: number): Promise<{ pub: zmq.Publisher; sub: zmq.Subscriber }> {
  const pub = new zmq.Publisher();
  const sub = new zmq.Subscriber();
  if (highWaterMark) { pub.sendHighWaterMark = highWaterMark; sub.receiveHighWaterMark = highWaterMark; }
  await pub.bind('tcp://127.0.0.1:*');
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

/** Reads messages slowly until `count` non-probe messages came or nothing arrives for a while. */
async function slowRead(sub: zmq.Subscriber, count: number): Promise<string[]> {
  sub.receiveTimeout = 1500;
  const got: string[] = [];
  while (got.length < count) {
    let m: Buffer;
    try { [m] = await sub.receive(); } catch { break; }
    const s = m.toString();
    if (s === 'probe') continue;
    got.push(s.slice(0, 12));
    await new Promise((r) => setTimeout(r, 1));
  }
  return got;
}

const labels = (n: number) => Array.from({ length: n }, (_, i) => `m${i}:`.padEnd(12, 'x'));

test('without the queue: EBUSY on a burst, drops for a slow reader; with it: all arrive, in order', async () => {
  const burst = await pair();
  let thrown: unknown;
  let sent = 0;
  try {
    for (; sent < 2000; sent++) void burst.pub.send(`m${sent}`).catch(() => undefined);
  } catch (err) { thrown = err; }
  assert.ok(isZmqBusy(thrown), `expected EBUSY without the queue, got ${String(thrown)}`);
  assert.ok(sent > 100 && sent < 2000, `EBUSY after ${sent} sends`);
  burst.pub.close();
  burst.sub.close();

  const total = 300;
  const slow = await pair(5);
  const reading = slowRead(slow.sub, total);
  for (let i = 0; i < total; i++) await slow.pub.send(`m${i}:`.padEnd(12, 'x') + BIG);
  const dropped = total - (await reading).length;
  assert.ok(dropped > 0, 'a publisher drops what a slow reader cannot take');
  slow.pub.close();
  slow.sub.close();

  serializeSends(zmq.Socket as unknown as { prototype: object });
  const queued = await pair(5);
  const received = slowRead(queued.sub, total);
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) sends.push(queued.pub.send(`m${i}:`.padEnd(12, 'x') + BIG));
  await Promise.all(sends);
  assert.deepEqual(await received, labels(total));
  queued.pub.close();
  queued.sub.close();
});

test('serializeSends patches a class once; a burst of small messages all arrive in order', async () => {
  serializeSends(zmq.Socket as unknown as { prototype: object });
  const patched = (zmq.Socket.prototype as unknown as { send: unknown }).send;
  serializeSends(zmq.Socket as unknown as { prototype: object });
  assert.equal((zmq.Socket.prototype as unknown as { send: unknown }).send, patched, 'idempotent');
  const { pub, sub } = await pair();
  const total = 3000;
  const received = slowRead(sub, total);
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) sends.push(pub.send(`m${i}:`.padEnd(12, 'x')));
  await Promise.all(sends);
  assert.deepEqual(await received, labels(total));
  pub.close();
  sub.close();
});
