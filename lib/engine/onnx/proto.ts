/**
 * The few ONNX protobuf messages lacuna writes (ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, AttributeProto), encoded by hand: lacuna only ever writes small inference
 * graphs of float32 tensors, so a 100-line encoder replaces a protobuf library and its generated
 * code. Field numbers are onnx.proto3's (onnx 1.14).
 */

/** Protobuf wire types used here. */
const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;

/** Appends protobuf fields to a growing byte list. */
class Writer {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: number): void {
    // Int64 fields here (dims, attributes, versions) are small and non-negative, except -1 in Reshape shapes.
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? byte | 0x80 : byte);
    } while (v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, value: number): this {
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, BYTES);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

/** TensorProto.DataType values lacuna writes. */
export const FLOAT = 1;
export const INT64 = 7;

/** An attribute value: an integer, a float, a string, or a list of integers. */
export type AttributeValue = { int: number } | { float: number } | { string: string } | { ints: readonly number[] };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, AttributeValue>;
}

export interface TensorSpec {
  name: string;
  dims: readonly number[];
  /** float32 values, or int64 values (as numbers) for shape tensors. */
  values: Float32Array | { int64: readonly number[] };
}

/** A graph input or output: float32 with these dims (a string dim is symbolic, e.g. 'batch'). */
export interface ValueSpec { name: string; dims: readonly (number | string)[] }

function attribute(name: string, value: AttributeValue): Uint8Array {
  const w = new Writer().string(1, name);
  if ('int' in value) w.int(3, value.int).int(20, 2);
  else if ('float' in value) w.float(2, value.float).int(20, 1);
  else if ('string' in value) w.string(4, value.string).int(20, 3);
  else { for (const v of value.ints) w.int(8, v); w.int(20, 7); }
  return w.finish();
}

function node(spec: NodeSpec, index: number): Uint8Array {
  const w = new Writer();
  for (const i of spec.inputs) w.string(1, i);
  for (const o of spec.outputs) w.string(2, o);
  w.string(3, `${spec.opType.toLowerCase()}_${index}`).string(4, spec.opType);
  for (const [name, value] of Object.entries(spec.attributes ?? {})) w.bytes(5, attribute(name, value));
  return w.finish();
}

function tensor(spec: TensorSpec): Uint8Array {
  const w = new Writer();
  for (const d of spec.dims) w.int(1, d);
  let raw: Uint8Array;
  if (spec.values instanceof Float32Array) {
    w.int(2, FLOAT);
    raw = new Uint8Array(spec.values.buffer, spec.values.byteOffset, spec.values.byteLength);
  } else {
    w.int(2, INT64);
    const data = BigInt64Array.from(spec.values.int64, (v) => BigInt(v));
    raw = new Uint8Array(data.buffer);
  }
  return w.string(8, spec.name).bytes(9, raw).finish();
}

function valueInfo(spec: ValueSpec): Uint8Array {
  const shape = new Writer();
  for (const d of spec.dims) shape.bytes(1, typeof d === 'number' ? new Writer().int(1, d).finish() : new Writer().string(2, d).finish());
  const tensorType = new Writer().int(1, FLOAT).bytes(2, shape.finish()).finish();
  return new Writer().string(1, spec.name).bytes(2, new Writer().bytes(1, tensorType).finish()).finish();
}

export interface ModelSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  /** Default opset 13 (Clip's bounds as inputs, ReduceMean's axes as an attribute). */
  opset?: number;
}

/** A serialised ModelProto (IR version 8) that onnxruntime's InferenceSession.create accepts. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const g = new Writer();
  spec.nodes.forEach((n, i) => g.bytes(1, node(n, i)));
  g.string(2, spec.name);
  for (const t of spec.initializers) g.bytes(5, tensor(t));
  for (const v of spec.inputs) g.bytes(11, valueInfo(v));
  for (const v of spec.outputs) g.bytes(12, valueInfo(v));
  const opset = new Writer().string(1, '').int(2, spec.opset ?? 13).finish();
  return new Writer().int(1, 8).string(2, 'lacuna').bytes(7, g.finish()).bytes(8, opset).finish();
}
