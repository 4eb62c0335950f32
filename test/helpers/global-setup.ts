import { ensureAssetsBuilt } from '../../scripts/build-assets.js';

/**
 * Runs once before all test files: the handler serves the IDE and docs from build/assets, so a
 * fresh clone's `npm test` builds them first (and again whenever their sources change).
 */
export default async function setup(): Promise<void> {
  const built = await ensureAssetsBuilt();
  if (built) process.stderr.write(`global setup: built ${built.length} static assets into build/assets\n`);
}
