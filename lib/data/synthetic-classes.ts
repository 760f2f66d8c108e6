/**
 * The ten sound sources of `synthetic-urban`, one mechanism per UrbanSound8K class. Each maker
 * returns `length` samples of the foreground event at `sampleRate`, drawn from `rng`; the clip
 * assembler (synthetic.ts) adds level, placement, background noise and the file format.
 *
 * | class | mechanism | randomised parameters |
 * |---|---|---|
 * | air_conditioner | steady low-passed broadband noise + mains-like hum, slow fan wobble | noise cut-off 250–1400 Hz, hum f0 45–125 Hz and harmonic mix, wobble 0.3–3 Hz / depth 0–30 % |
 * | car_horn | 1–3 honks of one or two buzzy harmonic tones (a third apart) | f0 300–520 Hz, second-tone ratio 1.2–1.33, honk length 0.15–1.2 s, gaps |
 * | children_playing | 2–4 overlapping "voices": pitch-gliding glottal pulse trains through two formant resonators, syllable by syllable | f0 200–420 Hz with glides, F1 450–1000 Hz, F2 1100–2800 Hz per syllable, syllables 0.08–0.35 s |
 * | dog_bark | 1–4 barks: short harmonic bursts with a falling pitch and a noisy onset | f0 280–850 Hz falling 10–40 %, bark 0.07–0.25 s, interval 0.15–0.7 s, noise share |
 * | drilling | high harmonic whine, amplitude-modulated by the motor, plus grinding noise | f0 700–2600 Hz with slow drift, modulation 12–60 Hz / depth 30–90 %, on/off bursts 0.4–4 s |
 * | engine_idling | train of damped low resonances (cylinder firings) over rumble | firing rate 8–32 Hz with jitter, resonance 70–260 Hz, decay 8–30 ms, rumble cut-off 150–500 Hz |
 * | gun_shot | 1–3 impulsive noise bursts with a fast decay and a reverberant tail | burst low-pass 1.5–8 kHz, decay 10–80 ms, tail 0.15–0.9 s at −12…−24 dB, spacing 0.1–1 s |
 * | jackhammer | trains of impacts: short resonant noise clicks at a steady rate, in bursts | impact rate 9–26 Hz, click resonance 400–2400 Hz, click decay 3–15 ms, burst 0.4–2.5 s |
 * | siren | harmonic tone whose pitch sweeps up and down (wail or yelp) | centre 550–1300 Hz, sweep depth 150–650 Hz, sweep rate 0.15–5 Hz, sine or triangle sweep |
 * | street_music | melody on a pentatonic scale over a bass note, plucked or sustained timbre | key 110–330 Hz, tempo 70–170 bpm, 1–2 voices, pluck decay 0.1–0.6 s |
 *
 * Deliberately confusable pairs: drilling vs jackhammer (modulation rates overlap), engine_idling
 * vs air_conditioner (both low and steady), siren vs car_horn vs street_music (all tonal).
 */
import { Rng } from '../util/rng';
import { addAt, biquad, decay, envelope, harmonicTone, lowNoise, multiply, unitRms, whiteNoise } from './synth-dsp';

export const URBAN_CLASSES = [
  'air_conditioner', 'car_horn', 'children_playing', 'dog_bark', 'drilling',
  'engine_idling', 'gun_shot', 'jackhammer', 'siren', 'street_music',
] as const;

export type SoundMaker = (length: number, sampleRate: number, rng: Rng) => Float32Array;

/** Harmonic amplitudes 1/k^tilt for `count` harmonics. */
function harmonics(count: number, tilt: number): number[] {
  return Array.from({ length: count }, (_, k) => 1 / (k + 1) ** tilt);
}

const airConditioner: SoundMaker = (n, sr, rng) => {
  const noise = unitRms(lowNoise(n, rng.range(250, 1400), sr, rng));
  const f0 = rng.range(45, 125);
  const hum = unitRms(harmonicTone(n, sr, () => f0, harmonics(6, rng.range(0.5, 2)), rng.range(0, 6)));
  const wobbleHz = rng.range(0.3, 3);
  const depth = rng.range(0, 0.3);
  const humGain = rng.range(0.15, 0.7);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (noise[i] + humGain * hum[i]) * (1 + depth * Math.sin((2 * Math.PI * wobbleHz * i) / sr));
  return out;
};

const carHorn: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const f0 = rng.range(300, 520);
  const ratio = rng.bernoulli(0.6) ? rng.range(1.2, 1.33) : 0;
  const amps = harmonics(10, rng.range(0.6, 1.2));
  let t = 0;
  const honks = rng.int(1, 3);
  for (let h = 0; h < honks && t < n; h++) {
    const len = Math.min(n - t, Math.round(rng.range(0.15, 1.2) * sr));
    let tone = harmonicTone(len, sr, () => f0, amps);
    if (ratio) tone = tone.map((v, i) => v + 0.8 * Math.sin((2 * Math.PI * f0 * ratio * i) / sr) + 0.3 * Math.sin((4 * Math.PI * f0 * ratio * i) / sr));
    addAt(out, multiply(tone, envelope(len, sr, 0.01, 0.03)), t);
    t += len + Math.round(rng.range(0.08, 0.5) * sr);
  }
  return out;
};

const childrenPlaying: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const voices = rng.int(2, 4);
  for (let v = 0; v < voices; v++) {
    let t = Math.round(rng.range(0, 0.3) * sr);
    const base = rng.range(200, 420);
    while (t < n) {
      const len = Math.min(n - t, Math.round(rng.range(0.08, 0.35) * sr));
      const start = base * rng.range(0.85, 1.2);
      const glide = rng.range(-0.3, 0.3);
      const dur = len / sr;
      const source = harmonicTone(len, sr, (s) => start * (1 + glide * (s / dur)), harmonics(30, 1));
      const f1 = biquad(source, 'bandpass', rng.range(450, 1000), 6, sr);
      const f2 = biquad(source, 'bandpass', rng.range(1100, 2800), 8, sr);
      const syl = f1.map((x, i) => x + 0.6 * f2[i]);
      addAt(out, multiply(syl, envelope(len, sr, 0.02, 0.05)), t, rng.range(0.4, 1));
      t += len + Math.round(rng.range(0.03, 0.4) * sr);
    }
  }
  return out;
};

const dogBark: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const barks = rng.int(1, 4);
  const f0 = rng.range(280, 850);
  const fall = rng.range(0.1, 0.4);
  const noiseShare = rng.range(0.1, 0.5);
  let t = 0;
  for (let b = 0; b < barks && t < n; b++) {
    const len = Math.min(n - t, Math.round(rng.range(0.07, 0.25) * sr));
    const dur = len / sr;
    const start = f0 * rng.range(0.9, 1.1);
    const tone = harmonicTone(len, sr, (s) => start * (1 - fall * (s / dur)), harmonics(12, 0.8));
    const noise = biquad(whiteNoise(len, rng), 'bandpass', start * 3, 1.5, sr);
    const body = tone.map((x, i) => x + noiseShare * 4 * noise[i]);
    addAt(out, multiply(biquad(body, 'lowpass', rng.range(1500, 3500), 0.7, sr), envelope(len, sr, 0.005, dur * 0.6)), t);
    t += len + Math.round(rng.range(0.15, 0.7) * sr);
  }
  return out;
};

const drilling: SoundMaker = (n, sr, rng) => {
  const f0 = rng.range(700, 2600);
  const drift = rng.range(0.005, 0.05);
  const driftHz = rng.range(0.1, 1);
  const tone = harmonicTone(n, sr, (s) => f0 * (1 + drift * Math.sin(2 * Math.PI * driftHz * s)), harmonics(4, rng.range(0.8, 2)));
  const grind = unitRms(biquad(whiteNoise(n, rng), 'bandpass', f0 * rng.range(0.8, 2), 2, sr));
  const modHz = rng.range(12, 60);
  const depth = rng.range(0.3, 0.9);
  const noiseGain = rng.range(0.1, 0.6);
  const toneN = unitRms(tone);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (toneN[i] + noiseGain * grind[i]) * (1 - depth * 0.5 * (1 + Math.sin((2 * Math.PI * modHz * i) / sr)));
  // On/off trigger bursts.
  const gate = new Float32Array(n);
  let t = 0;
  while (t < n) {
    const on = Math.round(rng.range(0.4, 4) * sr);
    addAt(gate, envelope(Math.min(on, n - t), sr, 0.05, 0.08), t);
    t += on + Math.round(rng.range(0.1, 0.8) * sr);
  }
  return multiply(out, gate);
};

const engineIdling: SoundMaker = (n, sr, rng) => {
  const out = unitRms(lowNoise(n, rng.range(150, 500), sr, rng));
  const rumbleGain = rng.range(0.2, 0.6);
  for (let i = 0; i < n; i++) out[i] *= rumbleGain;
  const rate = rng.range(8, 32);
  const jitter = rng.range(0.02, 0.15);
  const resonance = rng.range(70, 260);
  const tau = rng.range(0.008, 0.03);
  const pulseLen = Math.round(tau * 6 * sr);
  const pulse = multiply(harmonicTone(pulseLen, sr, () => resonance, [1, 0.4, 0.2]), decay(pulseLen, sr, tau));
  for (let t = 0; t < n; t += Math.max(1, Math.round((sr / rate) * (1 + jitter * (rng.uniform() * 2 - 1))))) {
    addAt(out, pulse, t, 3 * rng.range(0.7, 1.3));
  }
  return out;
};

const gunShot: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const shots = rng.int(1, 3);
  let t = 0;
  for (let s = 0; s < shots && t < n; s++) {
    const burstLen = Math.min(n - t, Math.round(0.3 * sr));
    const burst = multiply(biquad(whiteNoise(burstLen, rng), 'lowpass', rng.range(1500, 8000), 0.8, sr), decay(burstLen, sr, rng.range(0.01, 0.08)));
    addAt(out, burst, t, 4);
    const tailLen = Math.min(n - t, Math.round(rng.range(0.15, 0.9) * sr));
    const tail = multiply(biquad(whiteNoise(tailLen, rng), 'lowpass', rng.range(600, 3000), 0.7, sr), decay(tailLen, sr, tailLen / sr / 4));
    addAt(out, tail, t, 4 * 10 ** (-rng.range(12, 24) / 20));
    t += Math.round(rng.range(0.1, 1) * sr);
  }
  return out;
};

const jackhammer: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const rate = rng.range(9, 26);
  const resonance = rng.range(400, 2400);
  const tau = rng.range(0.003, 0.015);
  let t = 0;
  while (t < n) {
    const burstEnd = Math.min(n, t + Math.round(rng.range(0.4, 2.5) * sr));
    for (; t < burstEnd; t += Math.round((sr / rate) * rng.range(0.95, 1.05))) {
      const len = Math.round(tau * 6 * sr);
      const click = multiply(biquad(whiteNoise(len, rng), 'bandpass', resonance * rng.range(0.9, 1.1), 3, sr), decay(len, sr, tau));
      addAt(out, click, t, rng.range(0.7, 1.3));
    }
    t += Math.round(rng.range(0.1, 0.8) * sr);
  }
  return out;
};

const siren: SoundMaker = (n, sr, rng) => {
  const centre = rng.range(550, 1300);
  const depth = rng.range(150, 650);
  const yelp = rng.bernoulli(0.4);
  const rate = yelp ? rng.range(2, 5) : rng.range(0.15, 0.8);
  const triangle = rng.bernoulli(0.5);
  const phase = rng.range(0, 1);
  const sweep = (s: number): number => {
    const p = (s * rate + phase) % 1;
    return triangle ? 4 * Math.abs(p - 0.5) - 1 : Math.sin(2 * Math.PI * p);
  };
  return harmonicTone(n, sr, (s) => centre + depth * sweep(s), harmonics(5, rng.range(0.8, 2)));
};

const streetMusic: SoundMaker = (n, sr, rng) => {
  const out = new Float32Array(n);
  const key = rng.range(110, 330);
  const scale = [0, 2, 4, 7, 9, 12, 14, 16];
  const beat = 60 / rng.range(70, 170);
  const pluck = rng.bernoulli(0.5);
  const pluckTau = rng.range(0.1, 0.6);
  const amps = harmonics(8, rng.range(0.7, 1.8));
  const bass = rng.bernoulli(0.6);
  for (let t = 0; t < n; ) {
    const len = Math.min(n - t, Math.round(beat * rng.pick([0.5, 1, 1, 2]) * sr));
    const f = key * 2 ** (rng.pick(scale) / 12) * 2;
    const note = harmonicTone(len, sr, () => f, amps);
    addAt(out, multiply(note, pluck ? decay(len, sr, pluckTau) : envelope(len, sr, 0.02, 0.05)), t);
    if (bass) addAt(out, multiply(harmonicTone(len, sr, () => key / 2 * 2 ** (rng.pick([0, 7, 5]) / 12), [1, 0.5, 0.25]), envelope(len, sr, 0.01, 0.05)), t, 0.6);
    t += len;
  }
  return out;
};

/** Sound maker per class, in URBAN_CLASSES order. */
export const SOUND_MAKERS: Record<(typeof URBAN_CLASSES)[number], SoundMaker> = {
  air_conditioner: airConditioner,
  car_horn: carHorn,
  children_playing: childrenPlaying,
  dog_bark: dogBark,
  drilling,
  engine_idling: engineIdling,
  gun_shot: gunShot,
  jackhammer,
  siren,
  street_music: streetMusic,
};

/** The design table above as data, for notebooks and reports. */
export const SYNTHETIC_DESIGN: { className: string; mechanism: string; randomised: string }[] = [
  { className: 'air_conditioner', mechanism: 'steady low-passed noise + mains-like hum, slow fan wobble', randomised: 'noise cut-off 250–1400 Hz; hum f0 45–125 Hz; wobble 0.3–3 Hz, depth 0–30 %' },
  { className: 'car_horn', mechanism: '1–3 honks of one or two buzzy harmonic tones', randomised: 'f0 300–520 Hz; second tone ×1.2–1.33; honk 0.15–1.2 s' },
  { className: 'children_playing', mechanism: '2–4 voices: gliding pulse trains through two formants', randomised: 'f0 200–420 Hz; F1 450–1000 Hz; F2 1100–2800 Hz; syllables 0.08–0.35 s' },
  { className: 'dog_bark', mechanism: '1–4 short harmonic bursts, falling pitch, noisy onset', randomised: 'f0 280–850 Hz falling 10–40 %; bark 0.07–0.25 s; interval 0.15–0.7 s' },
  { className: 'drilling', mechanism: 'high harmonic whine, motor amplitude modulation, grinding noise', randomised: 'f0 700–2600 Hz; modulation 12–60 Hz, depth 30–90 %; bursts 0.4–4 s' },
  { className: 'engine_idling', mechanism: 'train of damped low resonances (firings) over rumble', randomised: 'firing 8–32 Hz ±2–15 %; resonance 70–260 Hz; decay 8–30 ms' },
  { className: 'gun_shot', mechanism: '1–3 impulsive noise bursts with a reverberant tail', randomised: 'low-pass 1.5–8 kHz; decay 10–80 ms; tail 0.15–0.9 s at −12…−24 dB' },
  { className: 'jackhammer', mechanism: 'trains of short resonant clicks at a steady rate', randomised: 'rate 9–26 Hz; resonance 400–2400 Hz; click decay 3–15 ms; bursts 0.4–2.5 s' },
  { className: 'siren', mechanism: 'harmonic tone with an up-down pitch sweep (wail or yelp)', randomised: 'centre 550–1300 Hz; depth 150–650 Hz; sweep 0.15–5 Hz' },
  { className: 'street_music', mechanism: 'pentatonic melody over a bass note, plucked or sustained', randomised: 'key 110–330 Hz; tempo 70–170 bpm; pluck decay 0.1–0.6 s' },
];
