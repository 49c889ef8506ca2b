// Validates glTF/GLB files with the Khronos validator; prints one JSON line per file and exits 1
// when any file has errors. Usage: node validate.mjs FILE...
import { readFile } from 'node:fs/promises';
import validator from 'gltf-validator';

let failed = false;
for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(file));
  const report = await validator.validateBytes(bytes, { uri: file, maxIssues: 50 });
  const issues = report.issues;
  console.log(JSON.stringify({ file, errors: issues.numErrors, warnings: issues.numWarnings,
    infos: issues.numInfos, messages: issues.messages.filter(m => m.severity <= 1).map(m => `${m.code}: ${m.message} ${m.pointer ?? ''}`) }));
  if (issues.numErrors > 0) failed = true;
}
process.exit(failed ? 1 : 0);
