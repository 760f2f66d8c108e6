/**
 * A real classic Jupyter Notebook server (Debian's jupyter-notebook) for browser tests: on a free
 * port with a random token, serving a temporary copy of notebooks/ beside links to the build
 * (dist/) and node_modules, so the notebooks' `../dist/…` imports resolve and the repository's
 * notebooks are never modified. Kernels inherit the server's environment.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { findJupyter, notebookEnv } from '../../lib/notebook/runner';
import { repoRoot } from '../../lib/data/paths';

export interface JupyterServer {
  url: string;
  token: string;
  /** The temporary tree: notebooks/ (copies), dist and node_modules (links). */
  root: string;
  notebookDir: string;
  /** The server's and its kernels' output, for failure messages. */
  log(): string;
  /** GET on the REST API (e.g. 'api/sessions'). */
  api<T>(route: string): Promise<T>;
  /** Shuts a kernel down (frees its memory and threads for the next notebook). */
  deleteKernel(id: string): Promise<void>;
  stop(): Promise<void>;
}

/** Why a live-UI test cannot run here, or false. */
export function jupyterNotebookMissing(): string | false {
  const version = spawnSync('jupyter-notebook', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'jupyter-notebook is not installed (Debian: apt-get install jupyter-notebook; .ci/run installs it)';
  if (!findJupyter()?.tslabRegistered) return 'the tslab kernel is not registered (npx tslab install --python=python3)';
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Copies notebooks/ into a fresh temporary tree and starts a server on it. */
export async function startJupyterServer(env: Record<string, string>): Promise<JupyterServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-live-'));
  const notebookDir = path.join(root, 'notebooks');
  fs.mkdirSync(notebookDir);
  for (const f of fs.readdirSync(path.join(repoRoot(), 'notebooks'))) {
    if (f.endsWith('.ipynb')) fs.copyFileSync(path.join(repoRoot(), 'notebooks', f), path.join(notebookDir, f));
  }
  fs.symlinkSync(path.join(repoRoot(), 'dist'), path.join(root, 'dist'));
  fs.symlinkSync(path.join(repoRoot(), 'node_modules'), path.join(root, 'node_modules'));
  for (const d of ['runtime', 'config', 'notary']) fs.mkdirSync(path.join(root, d));

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  // Own runtime, config and signature folders: connection files and trust records stay in the
  // temporary tree, and a user's notebook extensions cannot change the page under test.
  const child: ChildProcess = spawn('jupyter-notebook', [
    '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
    `--NotebookApp.token=${token}`, `--notebook-dir=${notebookDir}`, `--NotebookNotary.data_dir=${path.join(root, 'notary')}`,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI containers run as root
  ], {
    env: notebookEnv({ ...env, JUPYTER_RUNTIME_DIR: path.join(root, 'runtime'), JUPYTER_CONFIG_DIR: path.join(root, 'config') }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${url}/${route}`, { headers: { Authorization: `token ${token}` } });
    if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const deleteKernel = async (id: string): Promise<void> => {
    const res = await fetch(`${url}/api/kernels/${id}`, { method: 'DELETE', headers: { Authorization: `token ${token}` } });
    if (!res.ok) throw new Error(`DELETE api/kernels/${id}: HTTP ${res.status}`);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM'); // the server shuts its kernels down on SIGTERM
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(root, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`jupyter-notebook exited (${child.exitCode}):\n${output.slice(-3000)}`);
    }
    try {
      await api('api/status');
      break;
    } catch {
      if (Date.now() > deadline) { await stop(); throw new Error(`jupyter-notebook did not answer within 60 s:\n${output.slice(-3000)}`); }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, token, root, notebookDir, log: () => output, api, deleteKernel, stop };
}
