import {readdirSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {DuckDBInstance} from '@duckdb/node-api'
import {describe, expect, it} from 'vitest'
import {cloudTrailTable, recordAsLoaded} from '../../support/sigma-db.js'
import {tempDir} from '../../support/temp.js'
import {coroner, repoRoot, type Envelope} from '../../support/cli.js'

const fixtures = path.join(repoRoot, 'test', 'fixtures')

interface HuntJson {
  hits: Array<{rule: {title: string; id: string; level: string; author: string; path: string}; eventId: string; evidenceKey: string; evidenceSha256: string; principal: string; eventName: string}>
  rules: Array<{title: string; hits: number; author: string}>
  unsupported: Array<{code: string; construct: string}>
  rulesRun: number
}

/**
 * A case database at the path `coroner hunt --db` reads, holding the given Stratus detonations,
 * recorded as built from an (empty) store of its own: the `--store` and `--db` arguments to pass.
 */
async function caseDb(techniques: string[], extra: Array<Record<string, unknown>> = []): Promise<string[]> {
  const dir = await tempDir()
  const file = path.join(dir, 'case.duckdb')
  const store = path.join(dir, 'store')
  const records: Array<Record<string, unknown>> = [...extra]
  for (const t of techniques) {
    const list = JSON.parse(await readFile(path.join(fixtures, 'stratus', `${t}.json`), 'utf8')) as Array<Record<string, unknown>>
    records.push(...list.map((r) => ({...r, artifactKey: `cases/INC-1/runs/r1/cloudtrail/${t}.json`})))
  }
  const instance = await DuckDBInstance.create(file)
  const connection = await instance.connect()
  await cloudTrailTable(connection, records)
  await recordAsLoaded(connection, 'INC-1', store)
  connection.closeSync()
  instance.closeSync()
  return ['--store', store, '--db', file]
}

describe('coroner hunt', () => {
  it('finds the Lambda backdoor with the built-in rules, citing rule author and evidence, and exits 3', async () => {
    const db = await caseDb(['aws.persistence.lambda-backdoor-function', 'aws.credential-access.secretsmanager-retrieve-secrets'])
    const out = await coroner(['hunt', '--case', 'INC-1', ...db, '--json'])
    expect(out.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(out.stdout) as Envelope<HuntJson>
    expect(env.result.rulesRun).toBeGreaterThanOrEqual(6)
    expect(env.result.hits).toEqual([
      expect.objectContaining({
        rule: expect.objectContaining({title: 'AWS Lambda Function Made Invocable By Anyone', author: 'coroner', level: 'high', id: 'b4190bcd-a80d-4b09-b8b7-aba07cb75761'}),
        eventId: 'b67a9bba-d9da-4980-bf74-baed881b117d',
        eventName: 'AddPermission20150331v2',
        principal: 'arn:aws:iam::880896431042:user/christophe',
        evidenceKey: 'cases/INC-1/runs/r1/cloudtrail/aws.persistence.lambda-backdoor-function.json',
      }),
    ])
    const human = await coroner(['hunt', '--case', 'INC-1', ...db, '--no-fail'])
    expect(human.error).toBeUndefined()
    expect(human.stdout).toContain('AWS Lambda Function Made Invocable By Anyone')
    expect(human.stdout).toMatch(/Rules that fired:[\s\S]*coroner/)
    expect(human.stdout).toContain('1 hit(s)')
  })

  it('runs rules from --rules, reports the ones it cannot run, and filters by level', async () => {
    const db = await caseDb(['aws.defense-evasion.cloudtrail-stop', 'aws.persistence.lambda-overwrite-code'])
    const out = await coroner(['hunt', '--case', 'INC-1', ...db, '--no-builtin', '--rules', path.join(fixtures, 'sigma', 'rules'), '--rules', path.join(fixtures, 'sigma', 'unsupported'), '--json', '--no-fail'])
    expect(out.error).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<HuntJson>
    expect(env.result.rulesRun).toBe(57)
    expect(env.result.hits.map((h) => [h.rule.title, h.rule.author])).toEqual([['AWS CloudTrail Important Change', 'vitaliy0x1']])
    expect(env.result.unsupported.map((u) => u.code)).toContain('unsupported-near')
    const high = await coroner(['hunt', '--case', 'INC-1', ...db, '--min-level', 'high', '--json'])
    expect(high.error).toBeUndefined()
    expect((JSON.parse(high.stdout) as Envelope<HuntJson>).result.hits).toEqual([])
  })

  it("says when the rules' one scan failed and each rule ran alone, the refused rule failed and the rest found", async () => {
    const db = await caseDb(['aws.defense-evasion.cloudtrail-stop'])
    const rules = path.join(await tempDir(), 'rules')
    await mkdir(rules)
    const rule = (name: string, id: string, selection: string[]): Promise<void> =>
      writeFile(path.join(rules, `${name}.yml`), [`title: ${name}`, `id: 5f0c7d1e-0000-4000-8000-00000000000${id}`, 'status: test', 'logsource:', '  product: aws', '  service: cloudtrail', 'detection:', '  selection:', ...selection.map((l) => `    ${l}`), '  condition: selection', 'level: high', ''].join('\n'))
    await rule('trail-stopped', '1', ['eventName: StopLogging'])
    // RE2 takes at most 1,000 repetitions: DuckDB refuses the pattern only when the query runs.
    await rule('refused-pattern', '2', ["eventName|re: 'a{2000}'"])
    const out = await coroner(['hunt', '--case', 'INC-1', ...db, '--rules', rules, '--no-builtin', '--json', '--no-fail'])
    expect(out.error).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<HuntJson & {scanError: string | null}>
    expect(env.result.scanError).toMatch(/repetition/)
    expect(env.result.hits.map((h) => h.rule.title)).toEqual(['trail-stopped'])
    expect(env.result.rules).toEqual(expect.arrayContaining([expect.objectContaining({title: 'refused-pattern', hits: 0, error: expect.stringMatching(/repetition/)})]))
    expect(env.warnings.join('\n')).toMatch(/one scan failed \(.*repetition.*\); each rule then ran alone/)
    // The findings say it too, beside the refused rule's failed check.
    const findings = await coroner(['findings', '--case', 'INC-1', ...db, '--rules', rules, '--no-builtin', '--json', '--no-fail'])
    expect(findings.error).toBeUndefined()
    const said = (JSON.parse(findings.stdout) as Envelope<{findings: Array<{title: string}>}>).warnings.join('\n')
    expect(said).toMatch(/^sigma: the rules' one scan failed \(.*repetition.*\); each rule then ran alone/m)
    expect(said).toMatch(/sigma .*refused-pattern\.yml\).*repetition/)
    // Without the refused rule the one scan runs, and says nothing of it.
    await rm(path.join(rules, 'refused-pattern.yml'))
    const clean = JSON.parse((await coroner(['hunt', '--case', 'INC-1', ...db, '--rules', rules, '--no-builtin', '--json', '--no-fail'])).stdout) as Envelope<HuntJson & {scanError: string | null}>
    expect(clean.result.scanError).toBeNull()
    expect(clean.warnings.join('\n')).not.toMatch(/one scan/)
    expect(clean.result.hits.map((h) => h.rule.title)).toEqual(['trail-stopped'])
    const cleanFindings = JSON.parse((await coroner(['findings', '--case', 'INC-1', ...db, '--rules', rules, '--no-builtin', '--json', '--no-fail'])).stdout) as Envelope<unknown>
    expect(cleanFindings.warnings.join('\n')).not.toMatch(/one scan/)
  })

  it('keeps terminal escapes from the logs off the screen', async () => {
    const db = await caseDb([], [
      {
        eventID: 'esc',
        eventTime: '2024-08-02T09:00:00Z',
        eventSource: 'lambda.amazonaws.com',
        eventName: 'PutFunctionConcurrency20171031',
        userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::1:user/\u001b[2Jevil'},
        sourceIPAddress: '203.0.113.5',
        requestParameters: {functionName: 'f', reservedConcurrentExecutions: 0},
      },
    ])
    const out = await coroner(['hunt', '--case', 'INC-1', ...db])
    expect(out.error?.oclif?.exit).toBe(3)
    expect(out.stdout).not.toContain('\u001b')
    expect(out.stdout).toContain('\\u001b[2Jevil')
  })

  it('builds the case database from the evidence when there is none yet, and runs the shipped SigmaHQ rules', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const dir2 = path.join(repoRoot, 'samples', 'incident', 'cloudtrail')
    const samples = readdirSync(dir2).filter((n) => n.endsWith('.json')).map((n) => path.join(dir2, n))
    const imported = await coroner(['import', 'cloudtrail', ...samples, '--case', 'INC-1', '--store', store])
    expect(imported.error).toBeUndefined()
    const db = path.join(dir, 'db', 'case.duckdb')
    const out = await coroner(['hunt', '--case', 'INC-1', '--store', store, '--db', db, '--json'])
    expect(out.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(out.stdout) as Envelope<{hits: Array<{rule: {title: string; author: string}; evidenceKey: string}>}>
    const fired = new Set(env.result.hits.map((h) => h.rule.title))
    // SigmaHQ's rule for the CloudTrail stop in the samples, and coroner's for the public Lambda permission.
    expect(fired).toContain('AWS CloudTrail Important Change')
    expect(fired).toContain('AWS Lambda Function Made Invocable By Anyone')
    for (const h of env.result.hits) expect(h.evidenceKey).toMatch(/^cases\/INC-1\/runs\//)
  })

  it('names the case and the fix when the case is not in the store', async () => {
    const dir = await tempDir()
    const out = await coroner(['hunt', '--case', 'INC-1', '--store', path.join(dir, 'empty'), '--db', path.join(dir, 'none.duckdb'), '--json'])
    expect(out.error?.oclif?.exit).toBe(2)
    const env = JSON.parse(out.stdout) as Envelope<never>
    expect(env.error?.code).toBe('unknown-case')
    expect(env.error?.message).toContain('INC-1')
    expect(env.error?.hint).toContain('coroner case list')
  })
})

describe('coroner hunt over a crafted database', () => {
  it('cannot read local files: a view over read_text is refused, and the file never reaches the output', async () => {
    const dir = await tempDir()
    const secret = path.join(dir, 'secret.txt')
    await writeFile(secret, 'TOP-SECRET-7f3a')
    const file = path.join(dir, 'case.duckdb')
    const instance = await DuckDBInstance.create(file)
    const connection = await instance.connect()
    // What an attacker who can hand over a database would write: a load record that passes for the
    // store in use, and an events "table" that reads a local file.
    await recordAsLoaded(connection, 'INC-1', path.join(dir, 'store'))
    await connection.run(
      `CREATE VIEW cloudtrail_events AS
       SELECT 'e-1' AS event_id, TIMESTAMPTZ '2026-11-20 10:00:00+00' AS event_time, content AS event_name, 'signin.amazonaws.com' AS event_source,
              json_object('eventName', content, 'eventSource', 'signin.amazonaws.com', 'eventTime', '2026-11-20T10:00:00Z')::JSON AS raw,
              'cases/INC-1/runs/r1/cloudtrail/x.json' AS artifact_key, 'x' AS artifact_sha256
       FROM read_text('${secret}')`,
    )
    connection.closeSync()
    instance.closeSync()
    const rules = path.join(dir, 'rules')
    await mkdir(rules)
    await writeFile(
      path.join(rules, 'any-signin.yml'),
      ['title: Any sign-in', 'id: 5f0c7d1e-0000-4000-8000-000000000001', 'status: test', 'logsource:', '  product: aws', '  service: cloudtrail', 'detection:', '  selection:', '    eventSource: signin.amazonaws.com', '  condition: selection', 'level: high', ''].join('\n'),
    )
    const out = await coroner(['hunt', '--case', 'INC-1', '--store', path.join(dir, 'store'), '--db', file, '--rules', rules, '--no-builtin', '--json'])
    expect(out.stdout + out.stderr).not.toContain('TOP-SECRET-7f3a')
    const env = JSON.parse(out.stdout) as Envelope<HuntJson>
    expect(env.result.hits).toEqual([])
    expect(env.warnings.join('\n')).toMatch(/disabled by configuration/)
  })
})

describe('coroner sigma compile / check', () => {
  it('prints the SQL with the values as parameters', async () => {
    const rule = path.join(repoRoot, 'queries', 'sigma', 'coroner', 'lambda_permission_public_principal.yml')
    const out = await coroner(['sigma', 'compile', rule, '--json'])
    expect(out.error).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<{sql: string; params: unknown[]; author: string; query: string}>
    expect(env.result.author).toBe('coroner')
    expect(env.result.query).toMatch(/^SELECT event_id, event_time, artifact_key, artifact_sha256, raw FROM cloudtrail_events WHERE /)
    expect(env.result.sql).not.toContain('lambda.amazonaws.com')
    expect(env.result.params).toEqual(expect.arrayContaining(['$.eventSource', 'lambda.amazonaws.com', 'AddPermission%', '*', 'NONE']))
    const human = await coroner(['hunt', 'compile', rule])
    expect(human.error).toBeUndefined()
    expect(human.stdout).toContain('-- AWS Lambda Function Made Invocable By Anyone (b4190bcd-a80d-4b09-b8b7-aba07cb75761, high) by coroner')
    expect(human.stdout).toContain('-- parameters, in order:')
    const unsupported = await coroner(['sigma', 'compile', path.join(fixtures, 'sigma', 'unsupported', 'cloud', 'aws_enum_listing.yml'), '--json'])
    expect(unsupported.error?.oclif?.exit).toBe(4)
    expect((JSON.parse(unsupported.stdout) as Envelope<never>).error?.code).toBe('unsupported-aggregation')
  })

  it('prints the rule id, title and author with their escape sequences escaped', async () => {
    const dir = await tempDir()
    const rule = path.join(dir, 'esc.yml')
    await writeFile(rule, 'title: "t\\e[2J"\nid: "i\\e]0;x\\a"\nauthor: "a\\e[31m"\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: x\n  condition: sel\n')
    const out = await coroner(['sigma', 'compile', rule])
    expect(out.error).toBeUndefined()
    expect(out.stdout).not.toContain('\u001b')
    expect(out.stdout).toContain('-- t\\u001b[2J (i\\u001b]0;x\\u0007, no level) by a\\u001b[31m')
  })

  it('lists every problem as file:line:col severity code message and exits 4 on errors', async () => {
    const dir = await tempDir()
    await mkdir(path.join(dir, 'nested'))
    await writeFile(path.join(dir, 'nested', 'broken.yml'), 'title: x\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: [a\n  condition: sel\n')
    await writeFile(path.join(dir, 'badref.yml'), 'title: x\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: a\n  condition: sel and other\n')
    const out = await coroner(['sigma', 'check', dir])
    expect(out.error?.oclif?.exit).toBe(4)
    expect(out.stdout).toContain(`${path.join(dir, 'badref.yml')}:8:3  error  unknown-identifier  the condition names 'other'`)
    expect(out.stdout).toMatch(new RegExp(`${path.join(dir, 'nested', 'broken.yml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+  error  yaml-syntax  `))
    const sigmahq = await coroner(['sigma', 'check', path.join(fixtures, 'sigma'), '--json'])
    expect(sigmahq.error).toBeUndefined()
    const env = JSON.parse(sigmahq.stdout) as Envelope<{files: number; compiled: unknown[]; unsupported: unknown[]}>
    expect([env.result.files, env.result.compiled.length, env.result.unsupported.length]).toEqual([67, 57, 10])
    const strict = await coroner(['sigma', 'check', path.join(fixtures, 'sigma'), '--strict'])
    expect(strict.error?.oclif?.exit).toBe(4)
    const ours = await coroner(['sigma', 'check', path.join(repoRoot, 'queries', 'sigma'), '--strict'])
    expect(ours.error).toBeUndefined()
    expect(ours.stdout).toMatch(/65 file\(s\): 65 compile, 0 cannot run/)
  })
})
