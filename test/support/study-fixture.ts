/**
 * One local `lacuna study --quick --size tiny --models cnn --methods zero,linear,ar`, shared by the
 * test files that need it (the queue suite compares its queued runs with it; the after-repair tests
 * start their full study from it): training the same tiny models twice per `npm test` cost minutes.
 * It is built once and kept under the temp folder, keyed by what decides its bytes (the compiled
 * code, the arguments, LACUNA_* settings, node's version), so any change to lib/ builds it afresh.
 * Read it, never write into it: copy it first (after-repair does).
 */
import assert from 'node:assert/strict';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cliEntry, runLacuna } from './cli';

export const QUICK_STUDY = ['study', '--quick', '--size', 'tiny', '--models', 'cnn', '--methods', 'zero,linear,ar'] as const;

/**
 * The YAMNet head's quick study with one gap and four fragments up to 16000 samples: on the tiny set
 * the CNN of QUICK_STUDY scores at chance and loses no clip to its gaps, this head loses some
 * (test/recoverable.test.ts counts them). Needs the YAMNet model ($LACUNA_YAMNET).
 */
export const QUICK_YAMNET_STUDY = [
  'study', '--quick', '--size', 'tiny', '--models', 'yamnet', '--methods', 'zero,linear,exemplar',
  '--gap-lengths', '4000,16000', '--gap-models', 'single,multiple',
] as const;

const FIXTURES = path.join(os.tmpdir(), 'lacuna-test-fixtures');
const STALE_MS = 24 * 3600 * 1000;

/** Every compiled file under dir, sorted, with its bytes: the code the CLI runs. */
function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.join(e.parentPath, e.name)).sort();
  for (const f of files) hash.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
}

function keyOf(args: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(args)).update(process.version);
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('LACUNA_')).sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify(env));
  hashTree(hash, path.dirname(path.dirname(cliEntry)));
  // The dataset's fingerprint names the checkout's data folder: another clone of the same code needs its own fixture.
  hash.update(path.resolve(path.dirname(path.dirname(cliEntry))));
  return hash.digest('hex').slice(0, 16);
}

/** Fixture files of other keys older than a day (other checkouts' live ones are left alone). */
function removeStale(key: string): void {
  for (const name of fs.readdirSync(FIXTURES)) {
    const p = path.join(FIXTURES, name);
    if (!name.includes(key) && Date.now() - fs.statSync(p).mtimeMs > STALE_MS) fs.rmSync(p, { recursive: true, force: true });
  }
}

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * The output folder of a quick study (`args`, default QUICK_STUDY): built here (a child process, as
 * users run it) unless a run of the same code already left it. Built in place (its summaries name their folder) under a lock, marked done
 * last, so a test never uses half of one and two test processes never build it at once.
 */
export function quickStudyOutput(args: readonly string[] = QUICK_STUDY): string {
  const key = keyOf(args);
  const dir = path.join(FIXTURES, `study-quick-${key}`);
  const done = `${dir}.done`;
  const lock = `${dir}.lock`;
  fs.mkdirSync(FIXTURES, { recursive: true });
  for (const end = Date.now() + 20 * 60 * 1000; !fs.existsSync(done);) {
    try {
      fs.mkdirSync(lock);
    } catch {
      let owner = 0;
      try { owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* the lock is being taken or let go */ }
      const orphan = owner ? !alive(owner) : Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 60_000;
      if (orphan) fs.rmSync(lock, { recursive: true, force: true }); // its builder died
      else if (Date.now() > end) throw new Error(`${lock}: another test process has been building this fixture for 20 min`);
      else sleepMs(1000);
      continue;
    }
    try {
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      removeStale(key);
      fs.rmSync(dir, { recursive: true, force: true }); // a half-built one, its builder killed
      const r = runLacuna([...args, '--output', dir], { timeout: 15 * 60 * 1000 });
      assert.equal(r.status, 0, r.stderr);
      fs.writeFileSync(done, '');
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  const now = new Date();
  for (const f of [dir, done]) fs.utimesSync(f, now, now); // in use: not stale for another day
  return dir;
}

/** A copy of the fixture at `to`, as if the study had been run with --output to (its summaries name their folder). */
export function copyQuickStudy(to: string, args: readonly string[] = QUICK_STUDY): void {
  const from = quickStudyOutput(args);
  fs.cpSync(from, to, { recursive: true });
  for (const e of fs.readdirSync(to, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.json')) continue;
    const f = path.join(e.parentPath, e.name);
    const text = fs.readFileSync(f, 'utf8');
    if (text.includes(from)) fs.writeFileSync(f, text.split(from).join(to));
  }
}
