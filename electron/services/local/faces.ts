/**
 * Faces and their 128-number descriptors, with @vladmandic/face-api (MIT) on the same
 * TensorFlow.js wasm backend as the subject mask. The models are the Tiny Face Detector, the
 * 68-point landmarks (to align each face) and the ResNet-34-like recognition net, copied from the
 * package into assets/models/face (see THIRD_PARTY.md). Loaded lazily, once per thread.
 *
 * face-api's Node builds `require('@tensorflow/tfjs')`, the umbrella package that would bring a
 * second copy of tfjs-core (and tfjs-layers, tfjs-data…). Its wasm build is loaded here with that
 * one name answered by our tfjs-core, after giving tensors the chained methods (`t.as3D()`…) the
 * umbrella package would have registered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { RgbaImage } from '../../../shared/imaging/types.js';
import { loadTfWasm } from './tfjs.js';

/** One face found in an image: where (fractions of the image), how sure, and who (descriptor). */
export interface FoundFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  descriptor: number[];
}

const MODEL_FILES = [
  'tiny_face_detector_model-weights_manifest.json',
  'face_landmark_68_model-weights_manifest.json',
  'face_recognition_model-weights_manifest.json',
];

/** Faces are looked for on a copy at most this many pixels on its long edge. */
export const FACE_EDGE = 1024;
/** Smaller than this (either side), an image holds no face worth comparing. */
const MIN_EDGE = 32;
/** The detector's input size (a multiple of 32) and its confidence threshold. */
const DETECTOR_INPUT = 416;
const DETECTOR_SCORE = 0.5;

/** Where the face models are: assets/models/face at the top of the app (or of the repository). */
export function faceModelDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../../../../..']) {
    const dir = path.resolve(here, up, 'assets/models/face');
    if (MODEL_FILES.every((file) => existsSync(path.join(dir, file)))) return dir;
  }
  return null;
}

type Tf = Awaited<ReturnType<typeof loadTfWasm>>;

interface Net {
  loadFromDisk(dir: string): Promise<void>;
}

interface FaceApi {
  nets: { tinyFaceDetector: Net; faceLandmark68Net: Net; faceRecognitionNet: Net };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): {
    withFaceLandmarks(): {
      withFaceDescriptors(): Promise<{ detection: { score: number; relativeBox: { x: number; y: number; width: number; height: number } }; descriptor: Float32Array }[]>;
    };
  };
}

let loading: Promise<{ tf: Tf; api: FaceApi; millis: number }> | null = null;

/** Loads tfjs, face-api and the three models, once; `millis` is how long that took. */
export async function loadFaceModels(): Promise<{ tf: Tf; api: FaceApi; millis: number }> {
  loading ??= (async () => {
    const started = performance.now();
    const dir = faceModelDir();
    if (!dir) throw new Error('The face models are not installed (assets/models/face).');
    const tf = await loadTfWasm();
    addChainedOps(tf);
    const require = createRequire(import.meta.url);
    const file = require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js');
    const module = { exports: {} as FaceApi };
    const factory = vm.compileFunction(readFileSync(file, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    const load = (id: string): unknown => (id === '@tensorflow/tfjs' ? tf : require(id));
    factory(module.exports, load, module, file, path.dirname(file));
    const api = module.exports;
    await api.nets.tinyFaceDetector.loadFromDisk(dir);
    await api.nets.faceLandmark68Net.loadFromDisk(dir);
    await api.nets.faceRecognitionNet.loadFromDisk(dir);
    return { tf, api, millis: performance.now() - started };
  })();
  try {
    return await loading;
  } catch (error) {
    loading = null;
    throw error;
  }
}

/** Every face in the image, largest first; none for an image too small to hold one. */
export async function findFaces(image: RgbaImage): Promise<FoundFace[]> {
  if (image.width < MIN_EDGE || image.height < MIN_EDGE) return [];
  const { tf, api } = await loadFaceModels();
  const scale = Math.min(1, FACE_EDGE / Math.max(image.width, image.height));
  const rgb = toRgb(image, scale);
  const input = tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
  try {
    const found = await api
      .detectAllFaces(input, new api.TinyFaceDetectorOptions({ inputSize: DETECTOR_INPUT, scoreThreshold: DETECTOR_SCORE }))
      .withFaceLandmarks()
      .withFaceDescriptors();
    return found
      .map((face) => ({
        box: clampBox(face.detection.relativeBox),
        score: face.detection.score,
        descriptor: Array.from(face.descriptor),
      }))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  } finally {
    input.dispose();
  }
}

/** RGB bytes (alpha composited over mid grey), scaled by nearest-area averaging when `scale` < 1. */
function toRgb(image: RgbaImage, scale: number): { width: number; height: number; data: Int32Array } {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = new Int32Array(width * height * 3);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = (sy * image.width + sx) * 4;
          const a = (src[i + 3] as number) / 255;
          r += (src[i] as number) * a + 128 * (1 - a);
          g += (src[i + 1] as number) * a + 128 * (1 - a);
          b += (src[i + 2] as number) * a + 128 * (1 - a);
          n++;
        }
      }
      const o = (y * width + x) * 3;
      data[o] = Math.round(r / n);
      data[o + 1] = Math.round(g / n);
      data[o + 2] = Math.round(b / n);
    }
  }
  return { width, height, data };
}

function clampBox(box: { x: number; y: number; width: number; height: number }): FoundFace['box'] {
  const x = Math.max(0, Math.min(1, box.x));
  const y = Math.max(0, Math.min(1, box.y));
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  return { x: round(x), y: round(y), width: round(Math.max(0, Math.min(1 - x, box.width))), height: round(Math.max(0, Math.min(1 - y, box.height))) };
}

/** Chained tensor methods of tfjs-core 4.22 that call the op of the same name with the tensor first. */
const CHAINED = `abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND batchNorm
  broadcastTo cast ceil clipByValue conv1d conv2d conv2dTranspose cos cosh cumprod cumsum depthToSpace depthwiseConv2d
  dilation2d div divNoNan dot elu equal erf euclideanNorm exp expandDims expm1 fft floor floorDiv gather greater
  greaterEqual ifft irfft isFinite isInf isNaN leakyRelu less lessEqual localResponseNormalization log log1p logSigmoid
  logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum mean min minimum mirrorPad
  mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6 reshape reverse rfft round
  rsqrt selu separableConv2d sigmoid sign sin sinh slice softmax softplus spaceToBatchND split sqrt square
  squaredDifference squeeze step stridedSlice sub sum tan tanh tile topk transpose unique unsortedSegmentSum unstack
  zerosLike`.split(/\s+/);

/**
 * What `@tensorflow/tfjs` registers on tensors and tfjs-core's Node bundle does not
 * (tfjs-core/dist/public/chained_ops), written against the public ops.
 */
function addChainedOps(tf: Tf): void {
  type Method = (this: InstanceType<Tf['Tensor']>, ...args: unknown[]) => unknown;
  const proto = tf.Tensor.prototype as unknown as Record<string, Method>;
  if (typeof proto.as3D === 'function') return;
  const ops = tf as unknown as Record<string, (...args: unknown[]) => unknown>;
  const image = tf.image as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of CHAINED) {
    const op = ops[name] ?? image[name];
    if (op && typeof proto[name] !== 'function') proto[name] = function (...args) { return op(this, ...args); };
  }
  const reshape = (t: InstanceType<Tf['Tensor']>, shape: number[]) => tf.reshape(t, shape);
  proto.as1D = function () { return reshape(this, [this.size]); };
  proto.flatten = proto.as1D;
  for (const name of ['as2D', 'as3D', 'as4D', 'as5D']) proto[name] = function (...shape) { return reshape(this, shape as number[]); };
  proto.asScalar = function () { return reshape(this, []); };
  proto.reshapeAs = function (other) { return reshape(this, (other as { shape: number[] }).shape); };
  proto.asType = function (dtype) { return tf.cast(this, dtype as 'float32'); };
  proto.toBool = function () { return tf.cast(this, 'bool'); };
  proto.toFloat = function () { return tf.cast(this, 'float32'); };
  proto.toInt = function () { return tf.cast(this, 'int32'); };
  const list = (self: InstanceType<Tf['Tensor']>, x: unknown) => [self, ...(x instanceof tf.Tensor ? [x] : (x as InstanceType<Tf['Tensor']>[]))];
  proto.concat = function (x, axis) { return tf.concat(list(this, x), axis as number | undefined); };
  proto.stack = function (x, axis) { return tf.stack(list(this, x), axis as number | undefined); };
  proto.where = function (condition, x) { return tf.where(condition as InstanceType<Tf['Tensor']>, this, x as InstanceType<Tf['Tensor']>); };
}
