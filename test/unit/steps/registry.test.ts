import {readFileSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {paramsJsonSchema} from '../../../src/steps/params.js'
import {COLLECTORS, STEPS, findStep} from '../../../src/steps/registry.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {STEP_KINDS, type AnyStep} from '../../../src/steps/step.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')
const formats = readFileSync(path.join(root, 'docs', 'evidence-format.md'), 'utf8')
/** Read-only actions only: collection never changes the account it looks at. */
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|Lookup|Filter)[A-Za-z]*$/

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testSources(p)
    return name.endsWith('.test.ts') ? [readFileSync(p, 'utf8')] : []
  })
}
const tests = testSources(path.join(root, 'test')).filter((t) => !t.includes('the step registry meta-test'))

/** A test runs a step when it calls its CLI command (through `coroner` or `run`, both runCommand), or hands the step itself to the runner. */
function runBySomeTest(command: string | undefined, exportName: string): boolean {
  const words = command?.split(' ').map((w) => `'${w}'`).join(',\\s*')
  const cli = words === undefined ? undefined : new RegExp(`(coroner|run)\\(\\[\\s*${words}`)
  return tests.some((t) => (cli?.test(t) ?? false) || new RegExp(`\\b${exportName}\\b`).test(t))
}

describe('the step registry meta-test', () => {
  it('holds each step once, under a stable kebab-case id, with a known kind', () => {
    expect(new Set(STEPS.map((s) => s.id)).size).toBe(STEPS.length)
    for (const s of STEPS) {
      expect(s.id).toMatch(/^[a-z][a-z0-9-]*$/)
      expect(STEP_KINDS).toContain(s.kind)
      expect(findStep(s.id)).toBe(s)
    }
    expect(findStep('no-such-step')).toBeUndefined()
  })

  it('registers every step defined under src/steps', () => {
    expect(exported.size).toBeGreaterThan(0)
    for (const [step, name] of exported) expect(STEPS, `${name} is defined but not registered`).toContain(step)
  })

  for (const s of STEPS) {
    it(`${s.id}: parameter schema with a JSON Schema, pure permissions, documented kinds, a test that runs it`, () => {
      const schema = paramsJsonSchema(s)
      expect(schema.type).toBe('object')
      expect(schema.additionalProperties).toBe(false)
      // Unknown keys are refused, so a mistyped `with:` key in a playbook cannot pass unnoticed.
      expect(s.params.safeParse({'no-such-parameter': 1}).success).toBe(false)
      const sample = s.params.safeParse(sampleParams(schema))
      expect(sample.success, JSON.stringify(sample.error?.issues)).toBe(true)
      const actions = s.permissions(sample.data)
      // Only containment changes anything: every other step asks for read-only actions alone.
      if (s.kind !== 'contain') for (const a of actions) expect(a).toMatch(READ_ONLY)
      if (s.usesAws(sample.data)) expect(actions.length).toBeGreaterThan(0)
      for (const kind of s.produces) expect(formats).toContain(`| \`${kind}\` |`)
      if (s.kind === 'collect') expect([true, 'with-case']).toContain(s.records)
      expect(runBySomeTest(s.command, exportNameOf(s.id)), `no test runs step ${s.id}`).toBe(true)
    })
  }
})

describe('the collectors (collect steps that call AWS)', () => {
  for (const c of COLLECTORS) {
    it(`${c.id} declares its operations and read-only permissions, with parameters or without (a standing policy)`, () => {
      expect(c.operations.length).toBeGreaterThan(0)
      expect(c.permissions().length).toBeGreaterThan(0)
      for (const p of c.permissions()) expect(p).toMatch(READ_ONLY)
    })
  }
})

describe('coroner permissions --collector', () => {
  it('adds each named collector\'s actions to the policy, and works for a local store', async () => {
    const out = await coroner(['permissions', '--store', './here', '--collector', 'lambda', '--collector', 'cloudtrail-lookup', '--json'])
    expect(out.error).toBeUndefined()
    const policy = (JSON.parse(out.stdout) as Envelope<{policy: {Statement: Array<{Action: string[]}>}}>).result.policy
    const actions = policy.Statement.flatMap((s) => s.Action)
    expect(actions).toEqual(expect.arrayContaining(['lambda:GetFunction', 'lambda:ListVersionsByFunction', 'cloudtrail:LookupEvents']))
    expect(actions).not.toContain('logs:FilterLogEvents')
    const all = await coroner(['permissions', '--store', 's3://acme-evidence', '--collector', 'all', '--json'])
    const everything = (JSON.parse(all.stdout) as Envelope<{policy: {Statement: Array<{Action: string[]}>}}>).result.policy.Statement.flatMap((s) => s.Action)
    for (const c of COLLECTORS) for (const p of c.permissions()) expect(everything).toContain(p)
    expect(everything).toContain('s3:PutObject')
  })
})

/** Required parameters filled with their first example, else a plausible value of their type, from the JSON Schema. */
function sampleParams(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, {type?: string; format?: string; items?: {type?: string}; enum?: unknown[]; examples?: unknown[]}>
  const out: Record<string, unknown> = {}
  for (const name of (schema.required ?? []) as string[]) {
    const p = props[name] ?? {}
    out[name] = p.examples?.[0] ?? p.enum?.[0] ?? (p.type === 'array' ? ['sample'] : p.type === 'boolean' ? false : p.type === 'integer' || p.type === 'number' ? 1 : p.format === 'date-time' ? '2026-11-20T00:00:00Z' : 'sample')
  }
  return out
}

/** Every step definition exported under src/steps, by its export name. */
const exported = new Map<AnyStep, string>()
for (const module of Object.values(import.meta.glob('../../../src/steps/**/*.ts', {eager: true}))) {
  for (const [name, value] of Object.entries(module as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && 'run' in value && 'params' in value && 'kind' in value) exported.set(value as AnyStep, name)
  }
}

function exportNameOf(id: string): string {
  const step = findStep(id)
  return (step && exported.get(step)) ?? id
}
