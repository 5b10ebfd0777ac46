import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {coroner, repoRoot, type Envelope} from '../../support/cli.js'
import {useAwsTestEnvironment} from '../../support/moto.js'
import {tempDir} from '../../support/temp.js'
import {startTripwire, type Tripwire} from '../../support/tripwire.js'
import type {Plan} from '../../../src/playbooks/plan.js'

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'playbooks', 'snapshot-roles-load.yaml')

describe('coroner playbook plan, show, validate and permissions make no AWS call', () => {
  useAwsTestEnvironment()
  let wire: Tripwire
  beforeEach(async () => {
    wire = await startTripwire()
    // The offline commands take no --endpoint-url: an AWS call any of them made would still reach the tripwire.
    process.env.AWS_ENDPOINT_URL = wire.url
  })
  afterEach(async () => {
    delete process.env.AWS_ENDPOINT_URL
    await wire.close()
  })

  it('plan resolves parameters and offline targets, lists each step with its parameters and the permissions, and calls nothing', async () => {
    const out = await coroner(['playbook', 'plan', FIXTURE, '--param', 'functions=payments-api,tag:team=payments', '--param', 'all-versions=false', '--region', 'eu-west-1', '--json'])
    expect(out.error).toBeUndefined()
    const plan = (JSON.parse(out.stdout) as Envelope<Plan>).result
    expect(plan.steps.map((s) => s.id)).toEqual(['targets', 'snapshot', 'roles', 'load'])
    expect(plan.targets).toEqual({selectors: [{selector: 'payments-api', kind: 'name', resolvedAt: 'plan'}, {selector: 'tag:team=payments', kind: 'tag', resolvedAt: 'run time'}], functions: null, regions: ['eu-west-1']})
    const snapshot = plan.steps.find((s) => s.id === 'snapshot')!
    expect(snapshot.params).toMatchObject({functions: '${{ targets.functions }}', allVersions: false, collectRoles: false})
    expect(snapshot.deferred).toEqual(['functions', 'region'])
    expect(plan.steps.find((s) => s.id === 'roles')!.runs).toBe('run time')
    expect(plan.steps.find((s) => s.id === 'load')!).toMatchObject({usesAws: false, params: {db: 'case.duckdb'}, after: ['snapshot', 'roles']})
    expect(plan.permissions).toEqual(expect.arrayContaining(['lambda:ListFunctions', 'lambda:ListTags', 'lambda:GetFunction', 'iam:GetRole']))
    expect(plan.permissions.every((a) => /^[a-z0-9-]+:(Get|List|Describe|Lookup|Filter)/.test(a))).toBe(true)
    const human = await coroner(['playbook', 'plan', FIXTURE, '--param', 'functions=payments-api'])
    expect(human.stdout).toMatch(/Targets in [a-z0-9-]+: payments-api \(name, known now\)/)
    expect(human.stdout).toContain('No AWS call was made and nothing was written.')
    expect(wire.requests).toEqual([])
  })

  it('plan of names only needs no listing permission, and a missing required parameter is a warning, not a call', async () => {
    const named = (JSON.parse((await coroner(['playbook', 'plan', FIXTURE, '--param', 'functions=payments-api', '--json'])).stdout) as Envelope<Plan>).result
    expect(named.permissions).not.toContain('lambda:ListFunctions')
    expect(named.steps[0]).toMatchObject({id: 'targets', usesAws: false, params: {selectors: ['payments-api']}})
    const missing = await coroner(['playbook', 'plan', FIXTURE, '--json'])
    const env = JSON.parse(missing.stdout) as Envelope<Plan>
    expect(env.warnings.join()).toMatch(/parameter functions is required/)
    expect(wire.requests).toEqual([])
  })

  it('show, list, validate and permissions --playbook call nothing either', async () => {
    for (const args of [
      ['playbook', 'show', FIXTURE],
      ['playbook', 'list'],
      ['playbook', 'validate', FIXTURE],
      ['playbook', 'steps'],
      ['permissions', '--playbook', FIXTURE, '--store', 's3://evidence-bucket/cases'],
    ]) {
      const out = await coroner(args)
      expect(out.error, args.join(' ')).toBeUndefined()
    }
    expect(wire.requests).toEqual([])
  })

  it('the tripwire does catch a command that calls AWS: run of the same playbook', async () => {
    const dir = await tempDir()
    const out = await coroner(['run', FIXTURE, '--case', 'INC-WIRE', '--store', path.join(dir, 'store'), '--param', 'functions=tag:team=payments', '--endpoint-url', wire.url, '--json'])
    expect(wire.requests.length).toBeGreaterThan(0)
    expect(out.error?.oclif?.exit).toBe(6)
  })

  it('permissions --playbook prints the policy a run needs: read-only actions, scoped store statements', async () => {
    const out = await coroner(['permissions', '--playbook', FIXTURE, '--store', 's3://evidence-bucket/cases'])
    const policy = JSON.parse(out.stdout) as {Statement: Array<{Sid: string; Action: string[]}>}
    const playbook = policy.Statement.find((s) => s.Sid === 'Playbooksnapshotrolesload')!
    expect(playbook.Action).toEqual(expect.arrayContaining(['lambda:GetFunction', 'lambda:ListFunctions', 'lambda:ListTags', 'iam:GetRole']))
    expect(policy.Statement.some((s) => s.Action.some((a) => a.startsWith('s3:PutObject')))).toBe(true)
  })

  it('validate names each issue as file:line:col  severity  code  message and exits 4', async () => {
    const dir = await tempDir()
    const bad = path.join(dir, 'broken.yaml')
    await writeFile(bad, 'id: broken\ntitle: B\ndescription: D\nversion: 1\nstatus: test\nsteps:\n  - id: one\n    uses: lambada\n')
    const out = await coroner(['playbook', 'validate', bad, FIXTURE])
    expect(out.error?.oclif?.exit).toBe(4)
    expect(out.stdout).toContain(`${bad}:8:11  error  unknown-step  no step is called "lambada"; did you mean "lambda"?`)
    expect(out.stdout).toMatch(/2 playbook\(s\): 1 valid, 1 error\(s\)/)
  })
})
