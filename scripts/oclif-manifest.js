// Writes oclif.manifest.json, the list of commands with their flags and arguments, after each build.
// With it a command starts by loading its own module only (about 0.2 s of CPU for `--help`); without
// it oclif imports every command, and with them the AWS SDK and DuckDB, on every run (about 1 s).
// The file is built, never edited: `npm run build` writes it from dist/commands.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = path.resolve(fileURLToPath(import.meta.url), '../..')
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
writeFileSync(path.join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest))
