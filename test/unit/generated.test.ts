/**
 * Everything derived from schemas/ is committed; this fails when the committed copy no
 * longer matches what the generators produce from the current schemas.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderTypes, SCHEMA_FILES, TYPES_DIR } from '../../scripts/generate-types.js';
import { CRD_FILE, REPO_ROOT, renderCrd } from '../../scripts/generate-crd.js';

const HINT = 'is out of date: run `npm run generate` and commit the result';

describe('generated files are current', () => {
  it.each(SCHEMA_FILES)('src/generated/%s.ts equals renderTypes()', async (name) => {
    const committed = await readFile(path.join(TYPES_DIR, `${name}.ts`), 'utf8');
    const fresh = await renderTypes(name);
    if (committed !== fresh) throw new Error(`src/generated/${name}.ts ${HINT}`);
  });

  it('the Environment CRD equals renderCrd()', async () => {
    const committed = await readFile(CRD_FILE, 'utf8');
    const fresh = await renderCrd();
    if (committed !== fresh) {
      throw new Error(`${path.relative(REPO_ROOT, CRD_FILE)} ${HINT}`);
    }
  });

  it('renderCrd() is deterministic', async () => {
    expect(await renderCrd()).toBe(await renderCrd());
  });
});
