/**
 * The subject mask: MediaPipe Selfie Segmentation (people), as the TF.js graph model shipped in
 * assets/models/selfie (see THIRD_PARTY.md), run with TensorFlow.js on its WebAssembly backend.
 * Loaded lazily, once per thread, on first use; about 0.3 MB and 50–100 ms per photo on the model's
 * 256×256 input. The coarse mask is refined on the full-size photo (shared/imaging/restore.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { refineSubjectMask } from '../../../shared/imaging/restore.js';
import type { Mask, RgbaImage } from '../../../shared/imaging/types.js';
import { loadTfWasm } from './tfjs.js';

const INPUT = 256;

/** Where the model files are: assets/models/selfie at the top of the app (or of the repository). */
export function subjectModelDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // electron/services/local (sources) or dist/node/electron/services/local (built).
  for (const up of ['../../..', '../../../../..']) {
    const dir = path.resolve(here, up, 'assets/models/selfie');
    if (existsSync(path.join(dir, 'selfie.json')) && existsSync(path.join(dir, 'selfie.bin'))) return dir;
  }
  return null;
}

interface Model {
  execute(input: unknown): { data(): Promise<Float32Array | Int32Array | Uint8Array>; dispose(): void };
}

interface Tf {
  tensor4d(values: Float32Array, shape: [number, number, number, number]): { dispose(): void };
}

let loading: Promise<{ tf: Tf; model: Model }> | null = null;

/** Loads TensorFlow.js (WebAssembly backend) and the model, once. */
async function load(): Promise<{ tf: Tf; model: Model }> {
  loading ??= (async () => {
    const dir = subjectModelDir();
    if (!dir) throw new Error('The subject-mask model is not installed (assets/models/selfie).');
    const tf = await loadTfWasm();
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    const json = JSON.parse(readFileSync(path.join(dir, 'selfie.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: object[] }[];
      format: string;
      generatedBy: string;
      convertedBy: string;
      signature: object;
    };
    const bin = readFileSync(path.join(dir, 'selfie.bin'));
    const model = await loadGraphModel({
      load: async () => ({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((m) => m.weights) as never,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
      }),
    });
    return { tf: tf as unknown as Tf, model: model as unknown as Model };
  })();
  try {
    return await loading;
  } catch (error) {
    loading = null;
    throw error;
  }
}

/** The people in the photo as a full-size mask (255 = subject), edges refined on the photo. */
export async function segmentSubject(image: RgbaImage): Promise<Mask> {
  const { tf, model } = await load();
  const { data } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
    .flatten({ background: '#808080' })
    .resize(INPUT, INPUT, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const input = new Float32Array(INPUT * INPUT * 3);
  for (let i = 0; i < input.length; i++) input[i] = (data[i] as number) / 255;
  const tensor = tf.tensor4d(input, [1, INPUT, INPUT, 3]);
  try {
    const output = model.execute(tensor);
    const probabilities = Float32Array.from(await output.data());
    output.dispose();
    return refineSubjectMask(image, probabilities, INPUT, INPUT);
  } finally {
    tensor.dispose();
  }
}
