#!/usr/bin/env node
'use strict';
// The auditor's verifier, from the package's build (npm pack builds it; in the repository, `npm run build`).
require('../dist/cli/omov-verify.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`omov-verify: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
