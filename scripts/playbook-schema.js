// Writes playbooks/schema.json from the playbook format (src/playbooks/schema.ts, compiled to dist/).
// Run with `npm run playbook-schema`; test/unit/playbooks/schema.test.ts fails when the file drifts.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {playbookJsonSchemaText} from '../dist/playbooks/schema.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../..')
const file = path.join(root, 'playbooks', 'schema.json')
writeFileSync(file, playbookJsonSchemaText())
console.log(`wrote ${path.relative(process.cwd(), file)}`)
