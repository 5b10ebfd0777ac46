#!/usr/bin/env node
// Development entry: rebuilds nothing, runs the compiled commands with development-mode
// stack traces. Run `npm run build` (or `tsc -w`) alongside it.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
