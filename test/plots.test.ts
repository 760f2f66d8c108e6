import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureToHtml, plotlyLoaderScript } from '../lib/plots/html';
import { tableToHtml } from '../lib/plots/table';
import { lossCurveFigure } from '../lib/plots/training';
import { stripExternalScripts } from '../lib/notebook/runner';
import { audioPlayerHtml, wavBytes } from '../lib/notebook';

test('standalone figure HTML embeds plotly.js and needs no network', () => {
  const html = figureToHtml(lossCurveFigure([3, 2, 1.5, 1]), { standalone: true, title: 'loss <test>' });
  assert.ok(html.length > 1_000_000, 'plotly.js bundle is embedded');
  assert.ok(!/<script[^>]*\ssrc=/.test(html), 'no script is loaded from elsewhere');
  assert.match(html, /<title>loss &lt;test&gt;<\/title>/);
  assert.match(html, /Plotly\.newPlot/);
});

test('figure data cannot break out of its script tag', () => {
  const html = figureToHtml({ data: [{ type: 'scatter', x: [1], y: [1], name: '</script><b>x' }] });
  assert.ok(!html.includes('</script><b>'));
  assert.ok(plotlyLoaderScript().indexOf('</script') === plotlyLoaderScript().lastIndexOf('</script'));
});

test('tables: records and DataFrame-like input, numbers formatted, long tables elided', () => {
  const html = tableToHtml([{ fold: 1, acc: 0.123456 }, { fold: 2, acc: 0.5 }], { caption: 'cv' });
  assert.match(html, /<th[^>]*>fold<\/th>/);
  assert.match(html, />0\.123</);
  assert.match(html, /2 rows × 2 columns/);
  const df = { columns: ['a'], values: Array.from({ length: 100 }, (_, i) => [i]) };
  const long = tableToHtml(df, { maxRows: 10 });
  assert.match(long, /… 90 more rows …/);
});

test('external scripts nbconvert links are stripped, inline ones kept', () => {
  const page = '<script src="file:///usr/share/javascript/requirejs/require.min.js"></script><script>var a=1;</script>' +
    '<script type="text/javascript" src="https://cdn.example/x.js"></script>';
  assert.equal(stripExternalScripts(page), '<script>var a=1;</script>');
});

test('audio players carry a playable 16-bit WAV', () => {
  const samples = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 5) * 3);
  const wav = wavBytes(samples, 8000);
  assert.equal(Buffer.from(wav.subarray(0, 4)).toString(), 'RIFF');
  assert.equal(wav.length, 44 + 800 * 2);
  assert.match(audioPlayerHtml(samples, 8000, 'tone'), /^<div[^>]*><div[^>]*>tone<\/div><audio controls preload="none" src="data:audio\/wav;base64,UklGR/);
});

test('inside a kernel, a zeromq EBUSY or closed-socket rejection is dropped; any other rejection still ends the process', async () => {
  const { spawnSync } = await import('child_process');
  const script = `
    require('tsx/cjs');
    const { guardZmqBusy } = require(${JSON.stringify(require.resolve('../lib/util/tslab'))});
    process.on('unhandledRejection', (r) => { throw r; }); // what the wasm backend's glue installs
    guardZmqBusy();
    const busy = Object.assign(new Error('Socket is busy writing; only one send operation may be in progress at any time'), { code: 'EBUSY' });
    Promise.reject(busy);
    Promise.reject(Object.assign(new Error('Socket is closed'), { code: 'EBADF', errno: 9 })); // a send queued at shutdown
    setTimeout(() => { console.log('survived'); Promise.reject(new Error('a real bug')); }, 50);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.match(r.stdout, /survived/);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /a real bug/);
});
