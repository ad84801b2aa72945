#!/usr/bin/env node
'use strict';
// The compiled CLI. `npm install` builds it (the `prepare` script); inside the repo use `npm run omov -- <command>`.
require('../dist/src/cli/main.js')
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`omov: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
