import {copyFile, mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {deliveryFile, gz, lambdaSpecs, stratusRecords, writeCase} from '../../support/evidence-case.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')
const run = (args: string[]) => runCommand(args, {root})
const SECRET = 'hunter2'
const PASSWORD = "raw->>'$.Configuration.Environment.Variables.DB_PASSWORD'"

describe('secrets by value: every Lambda environment value of the case is hidden in every output', () => {
  let dir: string
  let db: string
  let store: string
  afterAll(() => rm(dir, {recursive: true, force: true}))
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-secrets-'))
    store = path.join(dir, 'store')
    const leaked = {logGroupName: '/aws/lambda/payments', logStreamName: '2026/11/20/[$LATEST]def', timestamp: Date.parse('2026-11-20T09:05:00Z'), ingestionTime: Date.parse('2026-11-20T09:05:01Z'), message: `connecting to db with password=${SECRET} (debug)`, eventId: 'leak-1'}
    const crashed = {...leaked, timestamp: Date.parse('2026-11-20T09:06:00Z'), message: `2026-11-20T09:06:00.000Z\tabc\tERROR\tlogin failed for password=${SECRET}`, eventId: 'leak-2'}
    // A real CreateUser record (Stratus Red Team) whose user is named after the secret: a request parameter holding it.
    const createUser = stratusRecords('aws.persistence.iam-create-admin-user').find((r) => r.eventName === 'CreateUser')!
    // The caller's own ARN holds it too (what hunt shows as the principal), calling from S3 Browser (a SigmaHQ rule fires).
    const identity = {...(createUser.userIdentity as object), arn: `arn:aws:iam::111122223333:user/ops-${SECRET}`}
    const named = {...createUser, userIdentity: identity, userAgent: 'S3 Browser 11.4.5 https://s3browser.com', requestParameters: {...(createUser.requestParameters as object), userName: `svc-${SECRET}`}}
    await writeCase(store, 'INC-SECRETS', [
      ...lambdaSpecs(),
      {segments: ['logs', 'us-east-1', 'payments', 'leak.ndjson.gz'], kind: 'logs.events', body: gz(`${JSON.stringify(leaked)}\n${JSON.stringify(crashed)}\n`), contentType: 'application/x-ndjson+gzip', source: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/payments:*'},
      deliveryFile([named], 'create-user.json.gz'),
    ])
    db = path.join(dir, 'case.duckdb')
    const loaded = await run(['load', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--json'])
    expect(loaded.error).toBeUndefined()
  })

  it('query --sql: a value read by path, upper() of it and a log line show [redacted:NAME] in every format', async () => {
    const sql = `--sql="SELECT ${PASSWORD} AS p, upper(${PASSWORD}) AS u, concat('x', ${PASSWORD}) AS c FROM lambda_functions"`
    for (const format of ['--json', '--csv', '--ndjson', '--output=table']) {
      const out = await run(['query', '--db', db, sql, format])
      expect(out.error, format).toBeUndefined()
      expect(out.stdout.toLowerCase(), format).not.toContain(SECRET)
      expect(out.stdout, format).toContain('[redacted:DB_PASSWORD]')
    }
    const json = JSON.parse((await run(['query', '--db', db, sql, '--json'])).stdout) as {result: {rows: Array<Record<string, string>>}}
    expect(json.result.rows).toEqual([{p: '[redacted:DB_PASSWORD]', u: '[redacted:DB_PASSWORD]', c: 'x[redacted:DB_PASSWORD]'}])
    const logs = await run(['query', '--db', db, "--sql=\"SELECT message FROM log_events WHERE message LIKE 'connecting%'\"", '--json'])
    expect(JSON.parse(logs.stdout).result.rows).toEqual([{message: 'connecting to db with password=[redacted:DB_PASSWORD] (debug)'}])
    const shown = await run(['query', '--db', db, sql, '--json', '--show-secrets'])
    expect(shown.stdout).toContain(SECRET.toUpperCase())
  })

  it('findings: a finding holding a secret in its target or details shows [redacted:NAME] in every format; the findings table keeps it', async () => {
    for (const format of ['--json', '--csv', '--output=table']) {
      const out = await run(['findings', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--no-fail', '--limit', '0', '--wide', format])
      expect(out.error, format).toBeUndefined()
      expect(out.stdout, format).not.toContain(SECRET)
      expect(out.stdout, format).toContain('svc-[redacted:DB_PASSWORD]')
    }
    const json = JSON.parse((await run(['findings', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--no-fail', '--json'])).stdout) as {result: {findings: Array<{target: string | null; details: Record<string, unknown>; reasons: Array<{id: string}>}>}}
    const user = json.result.findings.find((f) => f.reasons.some((r) => r.id === 'iam-user-created'))
    expect(user?.target).toBe('svc-[redacted:DB_PASSWORD]')
    const crash = json.result.findings.find((f) => f.reasons.some((r) => r.id === 'function-log-errors') && String(f.details.message).includes('login failed'))
    expect(crash?.details.message).toBe('2026-11-20T09:06:00.000Z\tabc\tERROR\tlogin failed for password=[redacted:DB_PASSWORD]')
    const shown = await run(['findings', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--no-fail', '--json', '--show-secrets'])
    expect(shown.stdout).toContain(`svc-${SECRET}`)
    const table = await AnalysisDb.open(db)
    try {
      expect((await table.all(`SELECT count(*) AS n FROM findings WHERE target = 'svc-${SECRET}'`)).rows[0]!.n).toBe(1)
    } finally {
      table.close()
    }
  })

  it('hunt: a hit whose principal holds a secret shows [redacted:NAME] in every format, unless --show-secrets', async () => {
    for (const format of ['--json', '--csv', '--output=table']) {
      const out = await run(['hunt', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--no-fail', '--limit', '0', '--wide', format])
      expect(out.error, format).toBeUndefined()
      expect(out.stdout, format).not.toContain(SECRET)
      expect(out.stdout, format).toContain('ops-[redacted:DB_PASSWORD]')
    }
    const shown = await run(['hunt', '--case', 'INC-SECRETS', '--store', store, '--db', db, '--no-fail', '--json', '--show-secrets'])
    expect(shown.stdout, shown.stdout.slice(0, 600)).toContain(`ops-${SECRET}`)
  })

  it('timeline: a log line holding a secret shows it redacted, in a page and streamed whole', async () => {
    for (const args of [['--json'], ['--limit', '0', '--json'], ['--limit', '0', '--csv'], ['--limit', '0', '--ndjson']]) {
      const out = await run(['timeline', '--db', db, ...args])
      expect(out.error).toBeUndefined()
      expect(out.stdout).not.toContain(SECRET)
      expect(out.stdout, args.join(' ')).toContain('password=[redacted:DB_PASSWORD]')
    }
    const shown = await run(['timeline', '--db', db, '--limit', '0', '--csv', '--show-secrets'])
    expect(shown.stdout).toContain(SECRET)
  })

  it('export parquet redacts the values unless --show-secrets, and says which it did', async () => {
    const read = async (to: string) => {
      const d = await AnalysisDb.open(':memory:', {allowedDirectories: [to]})
      try {
        const fn = await d.all(`SELECT environment, raw, configuration FROM read_parquet('${to}/lambda_functions/**/*.parquet', hive_partitioning=true)`)
        const logs = await d.all(`SELECT message FROM read_parquet('${to}/log_events/**/*.parquet', hive_partitioning=true) WHERE message LIKE 'connecting%'`)
        const findings = await d.all(`SELECT target, event_ids FROM read_parquet('${to}/findings/**/*.parquet', hive_partitioning=true) WHERE target LIKE 'svc-%'`)
        return JSON.stringify([fn.rows, logs.rows, findings.rows])
      } finally {
        d.close()
      }
    }
    const hidden = path.join(dir, 'parquet-redacted')
    const out = await run(['export', 'parquet', '--db', db, '--to', hidden, '--json'])
    expect(out.error).toBeUndefined()
    expect(JSON.parse(out.stdout).result.secrets).toEqual({treatment: 'redacted', values: 1})
    const back = await read(hidden)
    expect(back).not.toContain(SECRET)
    expect(back).toContain('password=[redacted:DB_PASSWORD]')
    expect(back).toContain('\\"DB_PASSWORD\\":\\"[redacted:DB_PASSWORD]\\"')
    expect(back).toContain('"target":"svc-[redacted:DB_PASSWORD]"')

    // A list column (a finding's event ids, each from the record) is redacted item by item.
    const listed = path.join(dir, 'listed.duckdb')
    await copyFile(db, listed)
    const rw = await AnalysisDb.open(listed)
    await rw.run(`UPDATE findings SET event_ids = list_append(event_ids, 'id-${SECRET}') WHERE target = 'svc-${SECRET}'`)
    rw.close()
    const listedDir = path.join(dir, 'parquet-listed')
    expect((await run(['export', 'parquet', '--db', listed, '--to', listedDir, '--json'])).error).toBeUndefined()
    const ids = await read(listedDir)
    expect(ids).not.toContain(SECRET)
    expect(ids).toContain('"id-[redacted:DB_PASSWORD]"]')
    const human = await run(['export', 'parquet', '--db', db, '--to', path.join(dir, 'parquet-human')])
    expect(human.stdout).toContain('Secrets: 1 known value(s) redacted as [redacted:NAME].')

    const shownDir = path.join(dir, 'parquet-shown')
    const shown = await run(['export', 'parquet', '--db', db, '--to', shownDir, '--json', '--show-secrets'])
    const env = JSON.parse(shown.stdout) as {result: {secrets: unknown}; warnings: string[]}
    expect(env.result.secrets).toEqual({treatment: 'shown', values: 0})
    expect(env.warnings).toEqual([expect.stringContaining('export holds secret values')])
    expect(await read(shownDir)).toContain(SECRET)
  })
})
