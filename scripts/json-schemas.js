// Writes docs/json/: the report's schema, and the --json output schema of every command, each from
// its zod schema (src/reports/model.ts, and each command's resultSchema in src/cli/results/).
// Run with `npm run schemas`; test/unit/cli/json-schemas.test.ts fails when a file drifts.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Config} from '@oclif/core'
import {reportJsonSchema} from '../dist/reports/model.js'
import {commandSchemas} from '../dist/cli/results/schemas.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../..')
const write = (file, schema) => {
  mkdirSync(path.dirname(path.join(root, 'docs', 'json', file)), {recursive: true})
  writeFileSync(path.join(root, 'docs', 'json', file), `${JSON.stringify(schema, null, 2)}\n`)
  console.log(`wrote docs/json/${file}`)
}
write('report.schema.json', reportJsonSchema())
const config = await Config.load(root)
for (const {file, schema} of await commandSchemas(config)) write(file, schema)
