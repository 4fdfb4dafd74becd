/**
 * The proxy re-render in Node, for comparison with Chromium: the same `runRenderBench` the page
 * runs (render-core.ts), in a process of its own. Prints one JSON line.
 *
 *   node dist/node/bench/render-child.js '<RenderBenchOptions as JSON>'
 */
import { runRenderBench, type RenderBenchOptions } from './render-core.js';

const options = JSON.parse(process.argv[2] ?? '{}') as RenderBenchOptions;
process.stdout.write(`${JSON.stringify(runRenderBench(options))}\n`);
