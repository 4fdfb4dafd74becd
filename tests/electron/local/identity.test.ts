import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFaces, compareImages, SAME_PERSON } from '../../../electron/services/local/identity.js';
import { inlineRunner } from '../../../electron/services/local/pool.js';
import { runTask } from '../../../electron/services/local/tasks.js';
import { HER_FACE, faceSwappedAstronaut, fixture, tempDir } from '../../support/fixtures.js';

describe('the identity check (faces before and after an edit)', () => {
  const tmp = tempDir();
  const files: Record<string, string> = {};

  async function write(name: string, bytes: Buffer): Promise<string> {
    const file = path.join(tmp.dir, name);
    await fs.writeFile(file, bytes);
    files[name] = file;
    return file;
  }

  beforeAll(async () => {
    // The same woman, edited: brighter, cropped off-centre, recompressed as a rough JPEG.
    await write(
      'astronaut-edited.jpg',
      await sharp(fixture('astronaut.png')).modulate({ brightness: 1.25 }).extract({ left: 40, top: 0, width: 400, height: 430 }).jpeg({ quality: 55 }).toBuffer(),
    );
    // Another person in her place: the cameraman's face pasted over hers.
    await write('astronaut-swapped.png', await faceSwappedAstronaut());
    await write('one-pixel.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 200, g: 150, b: 120 } } }).png().toBuffer());
    await write('astronaut-grey.png', await sharp(fixture('astronaut.png')).greyscale().png().toBuffer());
    await write('astronaut-alpha.png', await sharp(fixture('astronaut.png')).ensureAlpha(0.6).png().toBuffer());
  });
  afterAll(() => tmp.cleanup());

  it('finds her face where it is, and the same face in an edited copy: same person, small distance', async () => {
    const answer = await runTask({ type: 'faces', sources: [{ file: fixture('astronaut.png') }] });
    if (answer.result.type !== 'faces') throw new Error('expected faces');
    const [face] = answer.result.faces[0]!;
    expect(answer.result.faces[0]).toHaveLength(1);
    expect(face!.descriptor).toHaveLength(128);
    // The box lies over her face (fractions of the 512×512 image).
    expect(face!.box.x * 512).toBeGreaterThan(HER_FACE.left - 20);
    expect((face!.box.x + face!.box.width) * 512).toBeLessThan(HER_FACE.left + HER_FACE.width + 20);
    expect(face!.box.y * 512).toBeGreaterThan(HER_FACE.top - 20);

    const check = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-edited.jpg']! });
    expect(check.verdict).toBe('same');
    expect(check.faces).toEqual({ original: 1, result: 1 });
    expect(check.distance).not.toBeNull();
    expect(check.distance!).toBeLessThan(0.35);
    expect(check.pairs[0]!.distance).toBe(check.distance);
    console.log(`identity: astronaut vs brightened/cropped/JPEG copy ${check.distance}`);
  });

  it('someone else’s face pasted over hers, or another photo of another person: identity changed', async () => {
    const swapped = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-swapped.png']! });
    expect(swapped.verdict).toBe('changed');
    expect(swapped.distance!).toBeGreaterThanOrEqual(SAME_PERSON);
    const other = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: fixture('camera.png') });
    expect(other.verdict).toBe('changed');
    expect(other.distance!).toBeGreaterThanOrEqual(SAME_PERSON);
    console.log(`identity: astronaut vs her with his face ${swapped.distance}, vs camera.png ${other.distance}`);
  });

  it('a photo without faces has nothing to compare; a face that disappears is said so', async () => {
    const none = await compareImages(inlineRunner, { file: fixture('coffee.png') }, { file: fixture('astronaut.png') });
    expect(none).toMatchObject({ verdict: 'no-face', distance: null, faces: { original: 0, result: 1 }, pairs: [] });
    const lost = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: fixture('coffee.png') });
    expect(lost.verdict).toBe('face-lost');
    expect(lost.distance).toBeNull();
    expect(lost.pairs).toHaveLength(1);
    expect(lost.pairs[0]!.result).toBeNull();
  });

  it('a 1×1 image, a greyscale copy and a half-transparent copy give a result, never a crash', async () => {
    const tiny = await compareImages(inlineRunner, { file: files['one-pixel.png']! }, { file: files['one-pixel.png']! });
    expect(tiny.verdict).toBe('no-face');
    const lost = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['one-pixel.png']! });
    expect(lost.verdict).toBe('face-lost');
    const grey = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-grey.png']! });
    expect(grey.verdict).toBe('same');
    const alpha = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-alpha.png']! });
    expect(['same', 'changed']).toContain(alpha.verdict);
    expect(alpha.faces.original).toBe(1);
    // camera.png itself is a greyscale PNG: his face is found in it.
    const his = await compareImages(inlineRunner, { file: fixture('camera.png') }, { file: fixture('camera.png') });
    expect(his).toMatchObject({ verdict: 'same', distance: 0 });
    console.log(`identity: astronaut vs greyscale copy ${grey.distance}, vs half-transparent copy ${alpha.distance}`);
  });

  it('is deterministic: the same images give the same distance', async () => {
    const a = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-edited.jpg']! });
    const b = await compareImages(inlineRunner, { file: fixture('astronaut.png') }, { file: files['astronaut-edited.jpg']! });
    expect(b).toEqual(a);
  });

  it('pairs each original face with its most alike face in the result; the worst pair decides', () => {
    const face = (x: number, v: number[]) => ({ box: { x, y: 0, width: 0.1, height: 0.1 }, score: 1, descriptor: v });
    const original = [face(0.1, [0, 0]), face(0.5, [1, 0])];
    // Swapped places in the result, one of them a bit changed.
    const result = [face(0.5, [0, 0.1]), face(0.1, [1, 0.7])];
    const check = compareFaces(original, result);
    expect(check.pairs.map((p) => [p.original.x, p.result?.x, p.distance])).toEqual([
      [0.1, 0.5, 0.1],
      [0.5, 0.1, 0.7],
    ]);
    expect(check).toMatchObject({ verdict: 'changed', distance: 0.7, faces: { original: 2, result: 2 } });
    // Two faces before, one after: the unmatched one has no pair; the verdict is the matched one's.
    const fewer = compareFaces(original, [face(0.1, [0, 0.2])]);
    expect(fewer.pairs.map((p) => p.distance)).toEqual([0.2, null]);
    expect(fewer.verdict).toBe('same');
  });
});
