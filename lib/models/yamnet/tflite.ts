/**
 * A minimal TensorFlow Lite model reader: just the tables of the public TFLite schema
 * (tensorflow/lite/schema/schema.fbs) that lacuna needs to rebuild YAMNet — tensors with their
 * shapes, types, buffers and quantisation, and the operators with their opcodes and a few
 * builtin options. Accessors are written by hand against the flatbuffers runtime's ByteBuffer
 * (vtable slot → field offset) rather than generated, so the reader stays one readable file.
 */
import { ByteBuffer } from 'flatbuffers';
import { ModelError } from '../../util/errors';

/** TensorType enum of schema.fbs (the values YAMNet's file uses plus their neighbours). */
export const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8'] as const;
export type TensorTypeName = (typeof TENSOR_TYPES)[number] | `type${number}`;

/** The BuiltinOperator codes lacuna looks for (schema.fbs numbering). */
export const BUILTIN = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  FULLY_CONNECTED: 9, LOGISTIC: 14, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, SOFTMAX: 25, PAD: 34,
  MEAN: 40, SUB: 41, SQUEEZE: 43, STRIDED_SLICE: 45, LOG: 73, SQRT: 75, RFFT2D: 130, CUSTOM: 32,
  QUANTIZE: 114, BATCH_MATMUL: 126, COMPLEX_ABS: 139,
} as const;

const BUILTIN_NAMES: Record<number, string> = Object.fromEntries(Object.entries(BUILTIN).map(([k, v]) => [v, k]));
/** Codes below this were stored in the old 8-bit field (schema: PLACEHOLDER_FOR_GREATER_OP_CODES). */
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

export interface Quantization {
  /** One scale per channel along `quantizedDimension` (length 1 for per-tensor). */
  scale: Float32Array;
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TensorTypeName;
  /** Index into the model's buffers; 0 (the empty sentinel) for activations. */
  buffer: number;
  quantization?: Quantization;
}

export interface TfliteOperator {
  index: number;
  /** Builtin name (`CONV_2D`, …), `CUSTOM:<code>`, or `BUILTIN_<n>` for codes lacuna does not name. */
  opcode: string;
  inputs: number[];
  outputs: number[];
  /** Conv / depthwise / pool options when present (padding, strides, activation). */
  options?: ConvOptions;
}

export interface ConvOptions {
  padding: 'same' | 'valid';
  strideW: number;
  strideH: number;
  /** ActivationFunctionType: none, relu, relu_n1_to_1, relu6, tanh, sign_bit. */
  activation: 'none' | 'relu' | 'relu_n1_to_1' | 'relu6' | 'tanh' | 'sign_bit';
  depthMultiplier?: number;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** Raw bytes of buffer i (views into the file; empty for the sentinel and activations). */
  buffer(i: number): Uint8Array;
}

const ACTIVATIONS: ConvOptions['activation'][] = ['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit'];

/** Table access by vtable slot: the one idea behind every accessor below. */
class Table {
  constructor(readonly bb: ByteBuffer, readonly pos: number) {}
  private field(slot: number): number {
    const o = this.bb.__offset(this.pos, 4 + 2 * slot);
    return o ? this.pos + o : 0;
  }
  has(slot: number): boolean { return this.field(slot) !== 0; }
  int8(slot: number, dflt = 0): number { const f = this.field(slot); return f ? this.bb.readInt8(f) : dflt; }
  uint8(slot: number, dflt = 0): number { const f = this.field(slot); return f ? this.bb.readUint8(f) : dflt; }
  int32(slot: number, dflt = 0): number { const f = this.field(slot); return f ? this.bb.readInt32(f) : dflt; }
  uint32(slot: number, dflt = 0): number { const f = this.field(slot); return f ? this.bb.readUint32(f) : dflt; }
  uint64(slot: number): number { const f = this.field(slot); return f ? Number(this.bb.readUint64(f)) : 0; }
  string(slot: number): string { const f = this.field(slot); return f ? (this.bb.__string(f) as string) : ''; }
  table(slot: number): Table | undefined {
    const f = this.field(slot);
    return f ? new Table(this.bb, this.bb.__indirect(f)) : undefined;
  }
  /** [start, length] of a vector field, or [0, 0] when absent. */
  private vector(slot: number): [number, number] {
    const f = this.field(slot);
    return f ? [this.bb.__vector(f), this.bb.__vector_len(f)] : [0, 0];
  }
  tables(slot: number): Table[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => new Table(this.bb, this.bb.__indirect(start + 4 * i)));
  }
  int32s(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  int64s(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }
  float32s(slot: number): Float32Array {
    const [start, n] = this.vector(slot);
    return Float32Array.from({ length: n }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  bytes(slot: number): Uint8Array {
    const [start, n] = this.vector(slot);
    return this.bb.bytes().subarray(start, start + n);
  }
}

// Slot numbers below follow the field order of schema.fbs; a union takes two slots (type, value).
function readQuantization(q: Table | undefined): Quantization | undefined {
  if (!q) return undefined;
  const scale = q.float32s(2);
  if (scale.length === 0) return undefined;
  return { scale, zeroPoint: q.int64s(3), quantizedDimension: q.int32(6) };
}

function readTensor(t: Table, index: number): TfliteTensor {
  const code = t.int8(1);
  return {
    index,
    shape: t.int32s(0),
    type: TENSOR_TYPES[code] ?? `type${code}`,
    buffer: t.uint32(2),
    name: t.string(3),
    quantization: readQuantization(t.table(4)),
  };
}

function opcodeName(c: Table): string {
  // OperatorCode { deprecated_builtin_code:byte; custom_code:string; version:int; builtin_code:int }
  const code = Math.max(c.int8(0), c.int32(3));
  if (code === BUILTIN.CUSTOM) return `CUSTOM:${c.string(1)}`;
  return BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
}

function readOptions(opcode: string, op: Table): ConvOptions | undefined {
  const o = op.table(4); // builtin_options (slot 3 holds the union's type)
  if (!o) return undefined;
  const padding = o.int8(0) === 0 ? 'same' : 'valid';
  if (opcode === 'CONV_2D') {
    return { padding, strideW: o.int32(1), strideH: o.int32(2), activation: ACTIVATIONS[o.int8(3)] };
  }
  if (opcode === 'DEPTHWISE_CONV_2D') {
    return { padding, strideW: o.int32(1), strideH: o.int32(2), depthMultiplier: o.int32(3), activation: ACTIVATIONS[o.int8(4)] };
  }
  if (opcode === 'FULLY_CONNECTED') return { padding, strideW: 1, strideH: 1, activation: ACTIVATIONS[o.int8(0)] };
  return undefined;
}

/**
 * Parses a .tflite file held in memory. Only the first subgraph is read (YAMNet has one).
 * `label` names the file in errors.
 */
export function parseTflite(bytes: Uint8Array, label = '<buffer>'): TfliteModel {
  if (bytes.length < 8) throw new ModelError(`${label}: not a TFLite model (${bytes.length} bytes)`);
  const bb = new ByteBuffer(bytes);
  if (!bb.__has_identifier('TFL3')) {
    throw new ModelError(`${label}: not a TFLite model (file identifier "${bb.getBufferIdentifier().replace(/[^\x20-\x7e]/g, '?')}", expected "TFL3")`);
  }
  try {
    const model = new Table(bb, bb.readInt32(0));
    const codes = model.tables(1).map(opcodeName);
    const subgraph = model.tables(2)[0];
    if (!subgraph) throw new ModelError(`${label}: TFLite model has no subgraph`);
    const buffers = model.tables(4);
    const tensors = subgraph.tables(0).map(readTensor);
    const operators = subgraph.tables(3).map((op, index): TfliteOperator => {
      const opcode = codes[op.uint32(0)] ?? `BUILTIN_?`;
      return { index, opcode, inputs: op.int32s(1), outputs: op.int32s(2), options: readOptions(opcode, op) };
    });
    return {
      version: model.uint32(0),
      description: model.string(3),
      tensors, operators,
      inputs: subgraph.int32s(1),
      outputs: subgraph.int32s(2),
      buffer(i: number): Uint8Array {
        const b = buffers[i];
        if (!b) return new Uint8Array(0);
        const data = b.bytes(0);
        if (data.length > 0) return data;
        // Models over 2 GB keep data outside the flatbuffer: Buffer { data; offset:ulong; size:ulong }.
        const offset = b.uint64(1);
        const size = b.uint64(2);
        return offset > 1 ? bytes.subarray(offset, offset + size) : data;
      },
    };
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`${label}: corrupt TFLite flatbuffer (${(err as Error).message})`);
  }
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A constant tensor's values as float32: float32 data is copied as stored; int8 / uint8 /
 * int32 data is dequantised with f = scale[c] * (q - zeroPoint[c]), c being the index along the
 * quantised dimension (per-channel) or 0 (per-tensor). Throws for activations (no buffer).
 */
export function tensorValues(model: TfliteModel, tensor: TfliteTensor): Float32Array {
  const raw = model.buffer(tensor.buffer);
  const n = sizeOf(tensor.shape);
  if (raw.length === 0) throw new ModelError(`tensor "${tensor.name}" has no constant data`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = tensor.type === 'float32' || tensor.type === 'int32' ? 4 : tensor.type === 'int8' || tensor.type === 'uint8' ? 1 : 0;
  if (!width) throw new ModelError(`tensor "${tensor.name}" has unsupported type ${tensor.type}`);
  if (raw.length !== n * width) throw new ModelError(`tensor "${tensor.name}": ${raw.length} bytes for shape [${tensor.shape}] of ${tensor.type}`);
  const read = tensor.type === 'float32' ? (i: number) => view.getFloat32(4 * i, true)
    : tensor.type === 'int32' ? (i: number) => view.getInt32(4 * i, true)
      : tensor.type === 'int8' ? (i: number) => view.getInt8(i) : (i: number) => view.getUint8(i);
  const out = new Float32Array(n);
  const q = tensor.quantization;
  if (tensor.type === 'float32' || !q) {
    for (let i = 0; i < n; i++) out[i] = read(i);
    return out;
  }
  // Elements between consecutive steps of the quantised axis, and that axis's length.
  const axis = q.scale.length > 1 ? q.quantizedDimension : -1;
  const inner = axis >= 0 ? sizeOf(tensor.shape.slice(axis + 1)) : n;
  const channels = axis >= 0 ? tensor.shape[axis] : 1;
  if (q.scale.length !== channels) throw new ModelError(`tensor "${tensor.name}": ${q.scale.length} scales for ${channels} channels`);
  for (let i = 0; i < n; i++) {
    const c = axis >= 0 ? Math.floor(i / inner) % channels : 0;
    out[i] = q.scale[c] * (read(i) - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0));
  }
  return out;
}
