/**
 * The PyTorch peer of ../shared/peers, run by a bench between its own rounds so that every speed
 * claim is a ratio from one run on one machine. The peers' own functions are imported and called
 * with the parameters their main() uses, one workload at a time (a bench on YAMNet need not wait
 * for the CNN's training). Debian's /usr/bin/python3 with python3-torch, 2 threads, and the glibc
 * tunables of ../shared/peers/README.md (they double PyTorch's speed there).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const PYTHON = '/usr/bin/python3';
export const PEER_TUNABLES = 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296';

export function peersDir(): string {
  return path.join(process.env.LACUNA_SHARED ?? path.resolve(__dirname, '..', '..', 'shared'), 'peers');
}

/** Why the peer cannot run here, or undefined when it can (python3-torch imports). */
export function peerUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(peersDir(), 'peer_torch.py'))) return `${peersDir()}/peer_torch.py not found (set LACUNA_SHARED)`;
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3-torch is not installed (apt-get install -y python3-torch)';
}

/** Python that calls peer_torch.py's own functions; prints one JSON line. */
const DRIVERS = {
  /** YAMNet-shaped MobileNet, 64 clips of 8 patches, batches of 32 clips, 3 reps (as its main()). */
  yamnet: `
ym = p.yamnet_like(); x = torch.randn(64 * 8, 1, 96, 64)
c = time.process_time()
r = p.bench_infer(ym, x, 32 * 8, 3)
# CPU time of every thread over the warm-up pass and the 3 reps (4 x 64 clips).
out = {'yamnet_clips_per_s': statistics.median([v / 8 for v in r]), 'yamnet_cpu_ms_per_clip': 1000 * (time.process_time() - c) / (4 * 64)}`,
  /** The raw-waveform CNN: training epochs over 1024 samples (batch 128) after a warm-up epoch, then predict. */
  cnn: `
x = torch.randn(p.N_SAMPLES, 1, 32000); y = torch.randint(0, 10, (p.N_SAMPLES,))
cnn = p.AudioCNN()
c = time.process_time()
train = p.bench_train(cnn, x, y, EPOCHS)
c_train = time.process_time() - c; c = time.process_time()
infer = p.bench_infer(cnn, x, p.BATCH, 3)
c_infer = time.process_time() - c
# CPU time of every thread, warm-up passes included (EPOCHS + 1 training epochs, 4 inference passes).
out = {'train_samples_per_s': statistics.median(train), 'infer_samples_per_s': statistics.median(infer),
       'train_samples_per_cpu_s': (EPOCHS + 1) * p.N_SAMPLES / c_train, 'infer_samples_per_cpu_s': 4 * p.N_SAMPLES / c_infer}`,
} as const;

export type PeerWorkload = keyof typeof DRIVERS;

/**
 * Runs one peer workload with `threads` threads; its figures, or an error naming what failed.
 * `epochs` applies to the CNN's training (peer default 3; benches use fewer to stay short).
 */
export function runPeer(workload: PeerWorkload, options: { threads?: number; epochs?: number } = {}): Record<string, number> {
  const code = [
    'import sys, json, statistics, time, torch',
    `sys.path.insert(0, ${JSON.stringify(peersDir())})`,
    'import peer_torch as p',
    `torch.set_num_threads(${options.threads ?? 2})`,
    `EPOCHS = ${options.epochs ?? 3}`,
    DRIVERS[workload],
    "out['threads'] = torch.get_num_threads(); out['torch'] = torch.__version__",
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { env: { ...process.env, GLIBC_TUNABLES: PEER_TUNABLES }, encoding: 'utf8' });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`peer ${workload} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(last) as Record<string, number>;
}

/** The CPU's model name from /proc/cpuinfo (speed ratios depend on it), or os.cpus()'s. */
export function cpuModel(): string {
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** The widest x86 vector extension the CPU reports (what native kernels can use and WASM cannot). */
export function cpuVectorWidth(): string {
  try {
    const flags = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.+)$/m)?.[1].split(' ') ?? [];
    if (flags.includes('avx512f')) return 'avx512';
    if (flags.includes('avx2')) return flags.includes('fma') ? 'avx2+fma' : 'avx2';
    if (flags.includes('avx')) return 'avx';
    return flags.length ? 'sse' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What every bench with a peer adds to its JSON line. */
export function machineFigures(): Record<string, string | number> {
  return { cpu_model: cpuModel(), cpu_vector: cpuVectorWidth(), cores: os.cpus().length, load_avg_1min: +os.loadavg()[0].toFixed(2) };
}
