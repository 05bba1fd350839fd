// The server's API types, generated from the committed OpenAPI description (docs/openapi.json,
// itself generated from the server's code and checked by its tests) into src/api/schema.gen.ts.
// `node scripts/gen-api.mjs` writes the file (npm run gen:api); with `--check` it only compares,
// and fails when the committed file is not what generation gives (npm run build runs this).
import fs from 'node:fs';
import path from 'node:path';
import openapiTS from 'openapi-typescript';

const here = path.dirname(new URL(import.meta.url).pathname);
const source = path.join(here, '..', '..', 'docs', 'openapi.json');
const target = path.join(here, '..', 'src', 'api', 'schema.gen.ts');

const header =
  '// Generated from docs/openapi.json by `npm run gen:api` (openapi-typescript): do not edit.\n' +
  '// The server describes its API in code (server/src/routes/wire); regenerate after changing it.\n\n';
const generated = await openapiTS(JSON.parse(fs.readFileSync(source, 'utf8')), {
  commentHeader: header,
  alphabetize: true,
  silent: true,
});

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    console.error(
      `${path.relative(process.cwd(), target)} is stale: docs/openapi.json changed. Run \`npm run gen:api\` and commit the result.`,
    );
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, generated);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
