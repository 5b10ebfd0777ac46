import {existsSync, readFileSync, writeFileSync, mkdirSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {readPlaybookFile, shippedPlaybookFiles} from '../../../src/playbooks/catalog.js'
import {compilePlaybook} from '../../../src/playbooks/compile.js'
import {planPlaybook, type Plan} from '../../../src/playbooks/plan.js'
import {validatePlaybook} from '../../../src/playbooks/validate.js'
import {findStep} from '../../../src/steps/registry.js'
import {repoRoot} from '../../support/cli.js'

/** The parameters each shipped playbook is planned with for its golden plan. */
const GOLDEN: Record<string, Record<string, string>> = {
  'lambda-triage': {functions: 'payments-api,tag:team=payments', since: '2026-11-13T10:00:00Z', until: '2026-11-20T10:00:00Z'},
  'lambda-compromise': {functions: 'payments-api', since: '2026-11-13T10:00:00Z', until: '2026-11-20T10:00:00Z'},
  'lambda-public-exposure': {region: 'eu-west-1'},
  'role-credential-misuse': {functions: 'payments-api', since: '2026-11-13T10:00:00Z', until: '2026-11-20T10:00:00Z'},
  'cloudtrail-archive-investigation': {archive: './trail-copy', since: '2026-11-13T10:00:00Z', until: '2026-11-20T10:00:00Z'},
  'offline-triage': {cloudtrail: 'samples/incident/cloudtrail', api: 'samples/incident/api'},
}
const GOLDEN_DIR = path.join(repoRoot, 'test', 'fixtures', 'playbooks', 'golden')
const docs = readFileSync(path.join(repoRoot, 'docs', 'playbooks.md'), 'utf8')

const plan = (file: string, params: Record<string, string>, apply = false): Plan =>
  planPlaybook(readPlaybookFile(file), {given: new Map(Object.entries(params).map(([k, v]) => [k, [v]])), now: new Date('2026-11-20T10:00:00Z'), region: 'eu-west-1', apply, caseId: 'INC-GOLDEN'})

/** A plan as the golden file holds it: without the file's path and hash, which say nothing of what it does. */
const normalised = (p: Plan): unknown => ({...p, playbook: {...p.playbook, file: undefined, sha256: undefined}})

describe('every playbook in playbooks/ (the meta-test)', () => {
  const files = shippedPlaybookFiles()
  const ids = files.map((f) => path.basename(f, '.yaml'))

  it('ships the playbooks docs/playbooks.md describes, each with golden parameters', () => {
    expect(ids).toEqual(Object.keys(GOLDEN).sort())
    for (const id of ids) expect(docs, id).toContain(`### ${id}`)
  })

  for (const file of files) {
    const id = path.basename(file, '.yaml')
    it(`${id}: validates without an issue, uses registered steps only, plans without AWS, and matches its golden plan`, () => {
      const loaded = readPlaybookFile(file)
      expect(validatePlaybook(loaded)).toEqual([])
      for (const s of compilePlaybook(loaded.document!).steps) expect(findStep(s.uses), `${id} uses ${s.uses}`).toBeDefined()
      const p = plan(file, GOLDEN[id] ?? {})
      expect(p.problems).toEqual([])
      expect(p.warnings).toEqual([])
      const golden = path.join(GOLDEN_DIR, `${id}.plan.json`)
      const text = `${JSON.stringify(normalised(p), null, 2)}\n`
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(GOLDEN_DIR, {recursive: true})
        writeFileSync(golden, text)
      }
      expect(existsSync(golden), `${golden} is missing: UPDATE_GOLDEN=1 npx vitest run test/unit/playbooks/shipped.test.ts writes it`).toBe(true)
      expect(text).toBe(readFileSync(golden, 'utf8'))
      // Without --apply every containment step is planned as a dry run, asking read permissions only.
      for (const s of p.steps.filter((x) => x.kind === 'contain')) expect(s.params.apply, s.id).toBe(false)
    })
  }
})
