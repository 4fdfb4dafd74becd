/**
 * The degradations old prints and scans suffer, each deterministic, made from a clean photo: what
 * the restoration tests assert against and the restoration bench measures. Also the RGBA decode
 * and PNG encode they use (sharp).
 */
import sharp from 'sharp';
import { applyAdjustment, type RgbaImage } from '../../shared/imaging/index.js';
import { gaussian, mapPixels, random } from './measures.js';

/** Decodes any image sharp reads to 8-bit sRGB RGBA. */
export async function loadRgba(file: string | Buffer): Promise<RgbaImage> {
  const { data, info } = await sharp(file).toColorspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** Encodes RGBA as PNG. */
export async function toPng(image: RgbaImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
    .png()
    .toBuffer();
}

/** A degraded copy, and where the damage is when it is local (dust, scratches). */
export interface Degraded {
  image: RgbaImage;
  mask?: Uint8ClampedArray;
}

/** Independent Gaussian noise of σ levels in each channel (film grain, a noisy scan). */
export function addNoise(image: RgbaImage, sigma = 20, seed = 7): Degraded {
  const g = gaussian(seed);
  return { image: mapPixels(image, (r, gr, b) => [r + sigma * g(), gr + sigma * g(), b + sigma * g()]) };
}

/** A faded print: contrast lost towards a yellowed paper tone, and 45% of the saturation gone. */
export function fade(image: RgbaImage): Degraded {
  const paper = [236, 222, 190] as const;
  return {
    image: mapPixels(image, (r, g, b) => {
      const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const d = (c: number) => y + (c - y) * 0.55;
      return [0.62 * d(r) + 0.38 * paper[0], 0.62 * d(g) + 0.38 * paper[1], 0.62 * d(b) + 0.38 * paper[2]];
    }),
  };
}

/** A warm colour cast: red lifted, green and blue weakened (old tungsten prints, yellowing). */
export function colourCast(image: RgbaImage): Degraded {
  return { image: mapPixels(image, (r, g, b) => [Math.min(255, r + 14), g * 0.93 + 4, b * 0.74]) };
}

/** A soft lens or a blurred scan: Gaussian blur, σ = 1.2 px. */
export function blur(image: RgbaImage): Degraded {
  return { image: applyAdjustment(image, { kind: 'blur', radius: 2.4 }) };
}

/** Heavy JPEG compression (quality 12): 8×8 blocking and ringing. */
export async function jpegBlocking(image: RgbaImage, quality = 12): Promise<Degraded> {
  const jpeg = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
    .removeAlpha()
    .jpeg({ quality })
    .toBuffer();
  return { image: await loadRgba(jpeg) };
}

function stamp(data: Uint8ClampedArray, mask: Uint8ClampedArray, w: number, h: number, x: number, y: number, v: number): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= w || yi >= h) return;
  const i = yi * w + xi;
  data.set([v, v, v], i * 4);
  mask[i] = 255;
}

/** Six long scratches, 1–2 px wide, mostly vertical, light or dark. */
export function scratches(image: RgbaImage, seed = 5, count = 6): Degraded {
  const r = random(seed);
  const { width: w, height: h } = image;
  const data = new Uint8ClampedArray(image.data);
  const mask = new Uint8ClampedArray(w * h);
  for (let k = 0; k < count; k++) {
    const v = r() < 0.6 ? 235 + 15 * r() : 15 + 20 * r();
    const thickness = r() < 0.5 ? 1 : 2;
    const x0 = r() * w;
    const y0 = r() * h;
    const angle = (r() < 0.7 ? Math.PI / 2 : 0) + (r() - 0.5) * 0.6;
    const length = (0.3 + 0.5 * r()) * Math.max(w, h);
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    for (let t = 0; t < length; t += 0.5) {
      for (let o = 0; o < thickness; o++) stamp(data, mask, w, h, x0 + dx * t - dy * o, y0 + dy * t + dx * o, v);
    }
  }
  return { image: { width: w, height: h, data }, mask };
}

/** 120 specks of dust, 1.4–5 px across, white or black. */
export function dust(image: RgbaImage, seed = 9, count = 120): Degraded {
  const r = random(seed);
  const { width: w, height: h } = image;
  const data = new Uint8ClampedArray(image.data);
  const mask = new Uint8ClampedArray(w * h);
  for (let k = 0; k < count; k++) {
    const v = r() < 0.5 ? 245 : 20;
    const radius = 0.7 + 1.8 * r();
    const cx = r() * w;
    const cy = r() * h;
    for (let y = Math.floor(cy - radius); y <= cy + radius; y++) {
      for (let x = Math.floor(cx - radius); x <= cx + radius; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) stamp(data, mask, w, h, x, y, v);
    }
  }
  return { image: { width: w, height: h, data }, mask };
}

/** An old print: faded, with a cast, grain, dust and scratches, all at once. */
export function oldPrint(image: RgbaImage): Degraded {
  const faded = colourCast(fade(image).image).image;
  const grainy = addNoise(faded, 8, 11).image;
  const specks = dust(grainy, 13, 60);
  const scratched = scratches(specks.image, 17, 3);
  const mask = new Uint8ClampedArray(specks.mask!);
  scratched.mask!.forEach((v, i) => {
    if (v) mask[i] = 255;
  });
  return { image: scratched.image, mask };
}

/** The degradations one at a time, in the order the tests and the bench report them. */
export const DEGRADATIONS = ['noise', 'fade', 'cast', 'blur', 'jpeg', 'scratches', 'dust'] as const;
export type DegradationKind = (typeof DEGRADATIONS)[number];

/** What each degradation does, in a few words (for tables). */
export const DEGRADATION_NAMES: Record<DegradationKind, string> = {
  noise: 'Gaussian noise, σ 20 levels',
  fade: 'faded towards paper tone, 45% saturation lost',
  cast: 'warm colour cast',
  blur: 'Gaussian blur, σ 1.2 px',
  jpeg: 'JPEG quality 12',
  scratches: '6 scratches, 1–2 px wide',
  dust: '120 dust specks, 1.4–5 px',
};

/** `image` with one degradation, with its usual parameters. */
export async function degrade(kind: DegradationKind, image: RgbaImage): Promise<Degraded> {
  switch (kind) {
    case 'noise':
      return addNoise(image, 20);
    case 'fade':
      return fade(image);
    case 'cast':
      return colourCast(image);
    case 'blur':
      return blur(image);
    case 'jpeg':
      return jpegBlocking(image, 12);
    case 'scratches':
      return scratches(image);
    case 'dust':
      return dust(image);
  }
}
