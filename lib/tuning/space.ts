/**
 * A search space: named dimensions, each mapped to and from the unit interval so that Latin-
 * hypercube designs, random draws and the surrogate all work on [0, 1]^d. Declared in code or read
 * from JSON (`{"dimensions": [{"name": "dropout", "kind": "real", "low": 0.2, "high": 0.5}]}`).
 */
import { ParameterError } from '../util/errors';
import type { CategoryValue, Dimension, Point, SearchSpace } from './types';

const isPowerOfTwo = (v: number) => Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;

function checkDimension(d: Dimension, where: string): void {
  const bad = (problem: string) => new ParameterError(`${where}: dimension "${d.name}" ${problem}`);
  if (typeof d.name !== 'string' || d.name === '') throw new ParameterError(`${where}: every dimension needs a non-empty "name"`);
  if (d.kind === 'categorical') {
    if (!Array.isArray(d.values) || d.values.length < 1) throw bad('needs a non-empty "values" list');
    if (new Set(d.values.map((v) => JSON.stringify(v))).size !== d.values.length) throw bad('has repeated values');
    if (!d.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw bad('values must be strings, numbers or booleans');
    return;
  }
  if (!['real', 'integer', 'power-of-two'].includes(d.kind)) {
    throw bad(`has unknown kind "${String((d as { kind: unknown }).kind)}" (expected real, integer, categorical or power-of-two)`);
  }
  if (!(Number.isFinite(d.low) && Number.isFinite(d.high))) throw bad(`needs finite "low" and "high", got ${d.low} and ${d.high}`);
  if (!(d.low <= d.high)) throw bad(`needs low <= high, got ${d.low} > ${d.high}`);
  if (d.kind === 'integer' && !(Number.isInteger(d.low) && Number.isInteger(d.high))) throw bad(`needs integer bounds, got ${d.low}..${d.high}`);
  if (d.kind === 'power-of-two' && !(isPowerOfTwo(d.low) && isPowerOfTwo(d.high))) throw bad(`needs powers of two as bounds, got ${d.low}..${d.high}`);
  if (d.kind === 'real') {
    const scale = d.scale ?? 'linear';
    if (scale !== 'linear' && scale !== 'log') throw bad(`has scale "${String(scale)}" (expected linear or log)`);
    if (scale === 'log' && !(d.low > 0)) throw bad(`is on a log scale and needs low > 0, got ${d.low}`);
  }
}

/** Throws a ParameterError naming `where` (a file or 'search space') and the first problem. */
export function validateSpace(space: SearchSpace, where = 'search space'): SearchSpace {
  if (!space || !Array.isArray(space.dimensions) || space.dimensions.length === 0) {
    throw new ParameterError(`${where}: expected {"dimensions": [...]} with at least one dimension`);
  }
  for (const d of space.dimensions) checkDimension(d, where);
  const names = space.dimensions.map((d) => d.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length) throw new ParameterError(`${where}: dimension names repeat: ${[...new Set(repeated)].join(', ')}`);
  return space;
}

/** A space from JSON text (a `--space` file's contents), validated; `where` names the file in errors. */
export function parseSpace(text: string, where: string): SearchSpace {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParameterError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  return validateSpace(value as SearchSpace, where);
}

/** JSON of a space, with defaults spelled out, so equal spaces serialise equally. */
export function spaceToJson(space: SearchSpace): SearchSpace {
  return {
    dimensions: space.dimensions.map((d) => (d.kind === 'real' ? { ...d, scale: d.scale ?? 'linear' } : { ...d })),
  };
}

/** The dimension's value at `u` in [0, 1] (the inverse of toUnit, up to rounding). */
export function fromUnit(d: Dimension, u: number): CategoryValue {
  const t = Math.min(1, Math.max(0, u));
  switch (d.kind) {
    case 'real': {
      if (t === 0 || t === 1) return t === 0 ? d.low : d.high; // exact bounds, where exp(log(x)) would round
      const v = d.scale === 'log' ? Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low))) : d.low + t * (d.high - d.low);
      return Math.min(d.high, Math.max(d.low, v));
    }
    case 'integer':
      return Math.min(d.high, d.low + Math.floor(t * (d.high - d.low + 1)));
    case 'power-of-two': {
      const lo = Math.log2(d.low);
      const hi = Math.log2(d.high);
      return 2 ** Math.min(hi, lo + Math.floor(t * (hi - lo + 1)));
    }
    case 'categorical':
      return d.values[Math.min(d.values.length - 1, Math.floor(t * d.values.length))];
  }
}

/** A point from one unit coordinate per dimension (in the space's order). */
export function pointFromUnit(space: SearchSpace, u: readonly number[]): Point {
  const point: Point = {};
  space.dimensions.forEach((d, i) => { point[d.name] = fromUnit(d, u[i]); });
  return point;
}

function position(d: Exclude<Dimension, { kind: 'categorical' }>, v: number): number {
  if (d.high === d.low) return 0.5;
  if (d.kind === 'power-of-two') return (Math.log2(v) - Math.log2(d.low)) / (Math.log2(d.high) - Math.log2(d.low));
  if (d.kind === 'real' && d.scale === 'log') return (Math.log(v) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
  return (v - d.low) / (d.high - d.low);
}

/**
 * The surrogate's features of a point: one value in [0, 1] per ordered dimension (log and
 * power-of-two in the exponent), a one-hot block per categorical one.
 */
export function encodePoint(space: SearchSpace, point: Point): number[] {
  const out: number[] = [];
  for (const d of space.dimensions) {
    const v = point[d.name];
    if (d.kind === 'categorical') {
      const k = d.values.findIndex((c) => c === v);
      if (k < 0) throw new ParameterError(`"${d.name}" = ${JSON.stringify(v)} is not one of ${JSON.stringify(d.values)}`);
      d.values.forEach((_, j) => out.push(j === k ? 1 : 0));
    } else {
      out.push(position(d, checkInside(d, v)));
    }
  }
  return out;
}

function checkInside(d: Exclude<Dimension, { kind: 'categorical' }>, v: CategoryValue): number {
  const ok = typeof v === 'number' && v >= d.low && v <= d.high &&
    (d.kind !== 'integer' || Number.isInteger(v)) && (d.kind !== 'power-of-two' || isPowerOfTwo(v));
  if (!ok) throw new ParameterError(`"${d.name}" = ${JSON.stringify(v)} is outside its ${d.kind} range ${d.low}..${d.high}`);
  return v as number;
}

/** Throws unless `point` has exactly the space's names, each value inside its dimension. */
export function validatePoint(space: SearchSpace, point: Point, where = 'point'): Point {
  const names = space.dimensions.map((d) => d.name);
  const extra = Object.keys(point).filter((k) => !names.includes(k));
  const missing = names.filter((n) => !(n in point));
  if (extra.length || missing.length) {
    throw new ParameterError(`${where}: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unknown ${extra.join(', ')}` : ''}`);
  }
  try {
    encodePoint(space, point);
  } catch (err) {
    throw new ParameterError(`${where}: ${(err as Error).message}`);
  }
  return point;
}

/** Same point (values compared exactly, in the space's order). */
export function samePoint(space: SearchSpace, a: Point, b: Point): boolean {
  return space.dimensions.every((d) => a[d.name] === b[d.name]);
}
