// Commits adjustment steps to a project as fast as it can, printing each step id once the
// commit has returned; the crash test kills it at a random moment.
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [repo, libraryDir, projectId] = process.argv.slice(2);
const { openServices } = await import(pathToFileURL(path.join(repo, 'dist/node/electron/services/index.js')).href);
const services = await openServices({ libraryDir, host: 'cli', version: 'test', systemLocale: 'en' });
let head = services.projects.state(Number(projectId)).head;
for (let i = 0; ; i++) {
  const op = i % 3 === 0
    ? { type: 'addAdjustmentLayer', layerId: `adj${i}`, name: `Brightness ${i}`, adjustment: { kind: 'brightness', amount: (i % 200) - 100 } }
    : { type: 'setLayerProps', layerId: 'base', props: { opacity: (i % 100) / 100 } };
  const { step } = services.projects.commit(Number(projectId), head, op);
  head = step.id;
  process.stdout.write(`${step.id}\n`);
}
