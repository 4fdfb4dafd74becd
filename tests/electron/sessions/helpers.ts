/** Small factories for session tests: a library of distinct photos, services on it, waiting. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openServices, type Services, type ServicesOptions } from '../../../electron/services/index.js';
import type { SessionSummary } from '../../../shared/contract/api.js';

export const KEY = 'test-key-AIzaSyDoNotLeakThis0123456789';

/** Writes `count` different photos (a noisy gradient with a band of their own colour) into `dir`. */
export async function writePhotos(dir: string, count: number, size = { width: 240, height: 180 }): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const { width, height } = size;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      // A faded look (values squeezed into 60..190), so auto levels has something to do.
      raw[i] = 60 + Math.round((x / width) * 130);
      raw[i + 1] = 60 + Math.round((y / height) * 130);
      raw[i + 2] = 60 + ((x * 7 + y * 13) % 130);
    }
  }
  const files: string[] = [];
  for (let n = 0; n < count; n++) {
    raw.fill(n % 256, 0, width * 12 * 3);
    raw.fill((n * 37) % 256, width * 12 * 3, width * 24 * 3);
    const file = path.join(dir, `photo-${String(n).padStart(3, '0')}.jpg`);
    await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(file);
    files.push(file);
  }
  return files;
}

export async function openLibrary(libraryDir: string, extra: Partial<ServicesOptions> = {}): Promise<Services> {
  return openServices({
    libraryDir,
    host: 'cli',
    version: 't',
    systemLocale: 'en',
    geminiKey: () => ({ key: KEY }),
    geminiTimeoutMs: 10_000,
    queueTuning: { backoffMs: 20, networkProbeMs: 100, maxAttempts: 2 },
    sessionTuning: { batchPollMs: 40, progressIntervalMs: 20 },
    ...extra,
  });
}

/** Photo ids in import order. */
export function photoIds(services: Services): number[] {
  return services.library.list({ sort: 'fileName', order: 'asc', limit: 1000 }).items.map((p) => p.id);
}

/** Polls until the session is in one of `states`. */
export async function until(services: Services, sessionId: number, states: SessionSummary['state'][], timeoutMs = 30_000): Promise<SessionSummary> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const summary = services.sessions.summary(sessionId);
    if (states.includes(summary.state)) return summary;
    if (Date.now() > end) throw new Error(`session ${sessionId} stayed ${summary.state}: ${JSON.stringify(summary)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Steps of a project after its opening step, by kind. */
export function stepKinds(services: Services, projectId: number): string[] {
  return services.projects.state(projectId).steps.slice(1).map((step) => step.op.type);
}
