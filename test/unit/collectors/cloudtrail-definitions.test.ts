import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {cloudtrailArchiveCollector, cloudtrailDigestCollector, cloudtrailLookupCollector} from '../../../src/collectors/cloudtrail.js'

const formats = readFileSync(path.resolve(fileURLToPath(import.meta.url), '../../../../docs/evidence-format.md'), 'utf8')

describe('CloudTrail collector definitions', () => {
  for (const d of [cloudtrailLookupCollector, cloudtrailArchiveCollector, cloudtrailDigestCollector]) {
    it(`${d.id} declares read-only permissions and documented artifact kinds`, () => {
      expect(d.operations.length).toBeGreaterThan(0)
      expect(d.permissions.length).toBeGreaterThan(0)
      for (const p of d.permissions) expect(p).toMatch(/^(cloudtrail:(LookupEvents|ListPublicKeys)|s3:(ListBucket|GetObject))$/)
      for (const kind of d.produces) expect(formats).toContain(`| \`${kind}\` |`)
    })
  }
})
