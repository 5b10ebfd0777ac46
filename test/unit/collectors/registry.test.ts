import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {COLLECTORS} from '../../../src/collectors/registry.js'
import {coroner, type Envelope} from '../../support/cli.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')
const formats = readFileSync(path.join(root, 'docs', 'evidence-format.md'), 'utf8')
/** Read-only actions only: collection never changes the account it looks at. */
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|Lookup|Filter)[A-Za-z]*$/

describe('the collector registry', () => {
  it('holds every collector definition exported from src/collectors, once', () => {
    const exported = readdirSync(path.join(root, 'src', 'collectors'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(root, 'src', 'collectors', f), 'utf8').matchAll(/export const (\w+): CollectorDefinition\b/g)].map((m) => m[1]!))
    expect(exported.length).toBe(COLLECTORS.length)
    expect(new Set(COLLECTORS.map((c) => c.id)).size).toBe(COLLECTORS.length)
  })

  for (const c of COLLECTORS) {
    it(`${c.id} declares its operations, read-only permissions and documented artifact kinds`, () => {
      expect(c.operations.length).toBeGreaterThan(0)
      expect(c.permissions.length).toBeGreaterThan(0)
      for (const p of c.permissions) expect(p).toMatch(READ_ONLY)
      for (const kind of c.produces) expect(formats).toContain(`| \`${kind}\` |`)
    })
  }
})

describe('coroner permissions --collector', () => {
  it('adds each named collector\'s actions to the policy, and works for a local store', async () => {
    const out = await coroner(['permissions', '--store', './here', '--collector', 'lambda', '--collector', 'cloudtrail-lookup', '--json'])
    expect(out.error).toBeUndefined()
    const policy = (JSON.parse(out.stdout) as Envelope<{Statement: Array<{Action: string[]}>}>).result
    const actions = policy.Statement.flatMap((s) => s.Action)
    expect(actions).toEqual(expect.arrayContaining(['lambda:GetFunction', 'lambda:ListVersionsByFunction', 'cloudtrail:LookupEvents']))
    expect(actions).not.toContain('logs:FilterLogEvents')
    const all = await coroner(['permissions', '--store', 's3://acme-evidence', '--collector', 'all', '--json'])
    const everything = (JSON.parse(all.stdout) as Envelope<{Statement: Array<{Action: string[]}>}>).result.Statement.flatMap((s) => s.Action)
    for (const c of COLLECTORS) for (const p of c.permissions) expect(everything).toContain(p)
    expect(everything).toContain('s3:PutObject')
  })
})
