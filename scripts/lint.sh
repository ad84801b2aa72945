#!/usr/bin/env bash
# `npm run lint`: formatting (prettier, 120 columns) and ESLint over the whole repository.
# ESLint lives in tools/lint with its own install: typescript-eslint needs TypeScript's
# JavaScript API (TypeScript 6), while the project compiles with TypeScript 7.
set -euo pipefail
cd "$(dirname "$0")/.."
lint=tools/lint
if [ ! -x "$lint/node_modules/.bin/eslint" ] || [ "$lint/package-lock.json" -nt "$lint/node_modules/.package-lock.json" ]; then
  echo "== installing the lint tools (npm ci --prefix $lint)"
  npm ci --prefix "$lint" --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ "${1:-}" = "--fix" ]; then
  npx prettier --write --log-level warn .
  "$lint/node_modules/.bin/eslint" --config "$lint/eslint.config.mjs" --fix .
else
  npx prettier --check --log-level warn .
  "$lint/node_modules/.bin/eslint" --config "$lint/eslint.config.mjs" .
fi
