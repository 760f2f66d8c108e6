import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  applyPolyphase, clipSamples, decodeWav, encodeWav, fixLength, normalize, peakNormalize, polyphaseFilter,
  preprocessClip, readWav, resample, resampleLinear, resampleToRates, writeWav, zscore,
} from '../lib/audio';
import { AudioFileError } from '../lib/util/errors';
import { waveformFigure, spectrogramFigure } from '../lib/plots/audio';
import { sharedDir } from './support/yamnet';

const SHARED = sharedDir();
const EXAMPLES = path.join(SHARED, 'audio', 'yamnet-examples');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-audio-'));

function tone(freqHz: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  const n = Math.round(sampleRate * seconds);
  return Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
}

/** Amplitude of the component at freqHz (single-bin DFT over the middle of the signal, edges skipped). */
function amplitudeAt(x: Float32Array, freqHz: number, sampleRate: number): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let re = 0, im = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * freqHz * i) / sampleRate;
    re += x[i] * Math.cos(w);
    im += x[i] * Math.sin(w);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

test('WAV round trip: 8/16/24/32-bit PCM and float32, every error within one quantisation step', () => {
  const x = tone(440, 22050, 0.1, 0.9);
  for (const [format, step] of [['pcm8', 1 / 128], ['pcm16', 1 / 32768], ['pcm24', 1 / 8388608], ['pcm32', 1 / 2147483648], ['float32', 0]] as const) {
    const back = decodeWav(encodeWav({ samples: x, sampleRate: 22050 }, { format }));
    assert.equal(back.sampleRate, 22050);
    assert.equal(back.samples.length, x.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back.samples[i] - x[i]));
    assert.ok(worst <= step * 0.51 + 1e-7, `${format}: max error ${worst} > half a step ${step / 2}`);
  }
});

test('multi-channel files are mixed down to the mean of the channels', () => {
  const a = tone(300, 16000, 0.05, 0.6);
  const b = tone(700, 16000, 0.05, 0.3);
  const c = new Float32Array(a.length).fill(0.15);
  for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
    const file = path.join(tmp, `three-${format}.wav`);
    writeWav(file, { samples: a, sampleRate: 16000 }, { format, extraChannels: [b, c] });
    const read = readWav(file);
    assert.equal(read.info.channels, 3);
    for (let i = 0; i < a.length; i += 37) assert.ok(Math.abs(read.samples[i] - (a[i] + b[i] + c[i]) / 3) < 1e-4, `${format} frame ${i}`);
  }
});

test('44.1 kHz → 8 kHz keeps a 1 kHz tone within 0.5 dB and puts a 6 kHz tone ≥ 40 dB down (no alias at 2 kHz)', () => {
  const pass = resample(tone(1000, 44100, 1), 44100, 8000);
  assert.equal(pass.length, 8000);
  const gain = db(amplitudeAt(pass, 1000, 8000) / 0.5);
  assert.ok(Math.abs(gain) < 0.5, `1 kHz gain ${gain.toFixed(3)} dB`);
  const stop = resample(tone(6000, 44100, 1), 44100, 8000);
  const alias = db(amplitudeAt(stop, 2000, 8000) / 0.5);
  const total = db(rms(stop, 800, 7200) / (0.5 / Math.SQRT2));
  assert.ok(alias < -40, `alias at 2 kHz only ${alias.toFixed(1)} dB down`);
  assert.ok(total < -40, `6 kHz residue only ${total.toFixed(1)} dB down`);
  // The naive baseline does alias, so the test can tell the two apart.
  const naive = db(amplitudeAt(resampleLinear(tone(6000, 44100, 1), 44100, 8000), 2000, 8000) / 0.5);
  assert.ok(naive > -20, `linear interpolation unexpectedly clean (${naive.toFixed(1)} dB)`);
});

test('44.1 kHz → 16 kHz and 48 kHz → 16 kHz: passband flat, stop band ≥ 40 dB down', () => {
  for (const inRate of [44100, 48000, 22050]) {
    const pass = resample(tone(3000, inRate, 1), inRate, 16000);
    assert.equal(pass.length, 16000);
    assert.ok(Math.abs(db(amplitudeAt(pass, 3000, 16000) / 0.5)) < 0.5, `${inRate}: 3 kHz not flat`);
    const stopFreq = Math.min(11000, inRate * 0.45);
    const stop = resample(tone(stopFreq, inRate, 1), inRate, 16000);
    assert.ok(db(rms(stop, 1600, 14400) / (0.5 / Math.SQRT2)) < -40, `${inRate}: ${stopFreq} Hz not removed`);
  }
});

test('upsampling 8 kHz → 16 kHz interpolates a tone without images', () => {
  const up = resample(tone(1000, 8000, 1), 8000, 16000);
  assert.equal(up.length, 16000);
  assert.ok(Math.abs(db(amplitudeAt(up, 1000, 16000) / 0.5)) < 0.5);
  assert.ok(db(amplitudeAt(up, 7000, 16000) / 0.5) < -40, 'image at 7 kHz');
});

test('polyphase filters are memoised per rate pair; WebAssembly and JavaScript paths agree', () => {
  assert.equal(polyphaseFilter(44100, 8000), polyphaseFilter(44100, 8000));
  const f = polyphaseFilter(44100, 8000);
  assert.deepEqual([f.up, f.down], [80, 441]);
  assert.deepEqual([polyphaseFilter(44100, 16000).up, polyphaseFilter(44100, 16000).down], [160, 441]);
  const x = Float32Array.from({ length: 30011 }, (_, i) => Math.sin(i * 0.3) + ((i * 7919) % 13) / 13 - 0.5);
  for (const [a, b] of [[44100, 8000], [48000, 16000], [11025, 16000]]) {
    const fast = applyPolyphase(x, polyphaseFilter(a, b));
    const slow = applyPolyphase(x, polyphaseFilter(a, b), 'js');
    assert.equal(fast.length, slow.length);
    let worst = 0;
    for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - slow[i]));
    assert.ok(worst < 1e-5, `${a}→${b}: paths differ by ${worst}`);
  }
});

test('resampleToRates derives 8 kHz from 16 kHz and matches the direct conversion in the passband', () => {
  const x = tone(1500, 44100, 4);
  const both = resampleToRates(x, 44100, [8000, 16000]);
  assert.equal(both.get(8000)!.length, 32000);
  assert.equal(both.get(16000)!.length, 64000);
  const direct = resample(x, 44100, 8000);
  let worst = 0;
  for (let i = 1000; i < 31000; i++) worst = Math.max(worst, Math.abs(direct[i] - both.get(8000)![i]));
  assert.ok(worst < 2e-3, `two-stage differs by ${worst}`);
});

test('normalisation: z-score gives mean 0 / std 1, silence gives zeros not NaN; peak gives max |x| = 1', () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => 0.3 + 0.1 * Math.sin(i));
  const z = zscore(x);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  assert.ok(Math.abs(mean) < 1e-5);
  assert.ok(Math.abs(rms(z) - 1) < 1e-4);
  for (const mode of ['zscore', 'peak', 'none'] as const) {
    const silent = normalize(new Float32Array(500), mode);
    assert.ok(silent.every((v) => v === 0), `${mode} of silence`);
    const dc = normalize(new Float32Array(500).fill(0.25), mode);
    assert.ok(dc.every((v) => Number.isFinite(v)), `${mode} of a constant`);
  }
  const p = peakNormalize(x);
  assert.ok(Math.abs(Math.max(...p.map(Math.abs)) - 1) < 1e-6);
});

test('pad at the end or cut to exactly durationSec', () => {
  assert.deepEqual([...fixLength(Float32Array.from([1, 2, 3]), 5)], [1, 2, 3, 0, 0]);
  assert.deepEqual([...fixLength(Float32Array.from([1, 2, 3]), 2)], [1, 2]);
  assert.equal(clipSamples(8000, 4), 32000);
  assert.equal(clipSamples(16000, 4), 64000);
  const short = preprocessClip({ samples: tone(500, 8000, 1.5), sampleRate: 8000 });
  assert.equal(short.samples.length, 32000);
  assert.ok(short.samples.subarray(12000).every((v) => v === 0), 'padding is zeros after the normalised clip');
  assert.ok(Math.abs(rms(short.samples, 0, 12000) - 1) < 1e-3, 'z-scored before padding');
  assert.equal(preprocessClip({ samples: tone(500, 16000, 6), sampleRate: 16000 }, { normalize: 'peak' }).samples.length, 64000);
});

test('the real example clips (16, 44.1 and 48 kHz) load and resample to 8 and 16 kHz', { skip: !fs.existsSync(EXAMPLES) && `no ${EXAMPLES}` }, () => {
  const rates = new Set<number>();
  for (const name of ['meow_16k.wav', 'dog_975ms.wav', 'baby_975ms.wav', 'jingle_975ms.wav']) {
    const audio = readWav(path.join(EXAMPLES, name));
    rates.add(audio.sampleRate);
    assert.ok(audio.samples.length > 0.9 * audio.sampleRate, name);
    assert.ok(rms(audio.samples) > 1e-3, `${name} is not silent`);
    const both = resampleToRates(audio.samples, audio.sampleRate, [8000, 16000]);
    for (const r of [8000, 16000]) {
      const y = both.get(r)!;
      assert.equal(y.length, Math.ceil((audio.samples.length * r) / audio.sampleRate), `${name} @ ${r}`);
      assert.ok(y.every(Number.isFinite));
      // A low-pass can only remove energy, and these recordings keep much of theirs below 3.4 kHz.
      const change = db(rms(y) / rms(audio.samples));
      assert.ok(change < 0.5 && change > -20, `${name} @ ${r}: level changed by ${change.toFixed(1)} dB`);
      if (r === audio.sampleRate) assert.equal(y, audio.samples, 'same rate is passed through');
    }
  }
  assert.deepEqual([...rates].sort(), [16000, 44100, 48000]);
});

test('bad files: missing, empty, not WAV, truncated, NaN samples, unsupported encoding — each names the file', () => {
  const good = encodeWav({ samples: tone(440, 8000, 0.2), sampleRate: 8000 });
  const nan = encodeWav({ samples: new Float32Array(800).fill(NaN), sampleRate: 8000 }, { format: 'float32' });
  const alaw = Buffer.from(good);
  alaw.writeUInt16LE(6, 20);
  const cases: [string, Uint8Array | null, RegExp][] = [
    ['missing.wav', null, /file not found/],
    ['empty.wav', new Uint8Array(0), /empty file/],
    ['text.wav', Buffer.from('this is not audio at all, just text\n'), /not a WAV file/],
    ['truncated.wav', good.subarray(0, 44 + 300), /truncated WAV/],
    ['nan.wav', nan, /non-finite sample/],
    ['alaw.wav', alaw, /unsupported WAV encoding/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const file = path.join(tmp, name);
    if (bytes) fs.writeFileSync(file, bytes);
    assert.throws(() => readWav(file), (err: unknown) => err instanceof AudioFileError && err.message.includes(file) && pattern.test(err.message), name);
  }
});

test('waveform and spectrogram figures are plain Plotly data with the expected axes', () => {
  const w = waveformFigure(tone(200, 8000, 4), 8000, { title: 'tone' });
  const trace = w.data[0] as { x: number[]; y: number[] };
  assert.ok(trace.x.length <= 4000 && trace.x.length > 1000);
  assert.ok(Math.max(...trace.y) > 0.49, 'envelope keeps the peaks');
  const spec = { data: Float32Array.from({ length: 6 * 4 }, (_, i) => i), frames: 6, nMels: 4 };
  const s = spectrogramFigure(spec);
  const z = (s.data[0] as { z: number[][] }).z;
  assert.equal(z.length, 4);
  assert.equal(z[0].length, 6);
  assert.equal(z[1][2], 2 * 4 + 1, 'z[bin][frame] = data[frame * nMels + bin]');
  assert.doesNotThrow(() => JSON.stringify(s));
});
