// Validate glTF/GLB files with the Khronos glTF-Validator; prints one JSON report per
// file (one per line) and exits 1 when any file has errors.
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

let failed = false;
for (const path of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(path));
  const report = await validator.validateBytes(bytes, { maxIssues: 50 });
  const { numErrors, numWarnings } = report.issues;
  if (numErrors > 0) failed = true;
  console.log(JSON.stringify({ path, numErrors, numWarnings, messages: report.issues.messages, info: report.info }));
}
process.exit(failed ? 1 : 0);
