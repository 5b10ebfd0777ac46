import {execFileSync} from 'node:child_process'
import {cp, mkdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadCase} from '../../../src/analysis/load.js'
import {openForQuery, runNamedQuery} from '../../../src/analysis/run-query.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {importShape} from '../../../src/collectors/lambda-import.js'
import {journalLines} from '../../../src/evidence/journal.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import {lambdaImportStep} from '../../../src/steps/collect/lambda-import.js'
import {runStep} from '../../../src/steps/runner.js'
import {repoRoot} from '../../support/cli.js'
import {testContext} from '../../support/context.js'
import {tempDir} from '../../support/temp.js'

const SAMPLE = path.join(repoRoot, 'samples', 'incident', 'api')
const FIXTURES = path.join(repoRoot, 'test', 'fixtures')

describe('lambda-import: API outputs handed over, kept byte for byte under the collector kinds', () => {
  it('recognises each output by its own fields', () => {
    expect(importShape({Configuration: {FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f'}, Code: {}})).toBe('GetFunction')
    expect(importShape({FunctionName: 'f', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', Runtime: 'nodejs22.x'})).toBe('GetFunctionConfiguration')
    expect(importShape({Policy: '{"Statement":[]}', RevisionId: 'r'})).toBe('GetPolicy')
    expect(importShape({FunctionUrl: 'https://x.lambda-url.us-east-1.on.aws/', AuthType: 'AWS_IAM'})).toBe('GetFunctionUrlConfig')
    expect(importShape({Aliases: []})).toBe('ListAliases')
    expect(importShape({EventSourceMappings: []})).toBe('ListEventSourceMappings')
    expect(importShape({Functions: []})).toBe('ListFunctions')
    expect(importShape({LayerVersionArn: 'arn:aws:lambda:us-east-1:1:layer:l:1', Content: {}})).toBe('GetLayerVersion')
    expect(importShape({Role: {RoleName: 'r', Arn: 'arn:aws:iam::1:role/r'}})).toBe('GetRole')
    expect(importShape({Records: []})).toBeUndefined()
    expect(importShape([1, 2])).toBeUndefined()
  })

  it('imports the sample incident and the documented CLI outputs; load reads them as it reads a live snapshot', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await cp(SAMPLE, input, {recursive: true})
    await cp(path.join(FIXTURES, 'duo-labs_cloudmapper_lambda-config', 'lambda-get-policy_invpclambda.json'), path.join(input, 'invpclambda-policy.json'))
    await writeFile(path.join(input, 'notes.json'), JSON.stringify({ticket: 'SEC-1'}))
    await writeFile(path.join(input, 'truncated.json'), '{"Configuration": {')
    const store = new LocalDirectoryStore(path.join(dir, 'store'))
    const ctx = {...testContext(store), caseId: 'INC-IMP'}
    const {result, run} = await runStep(ctx, lambdaImportStep, {paths: [input]})

    expect(run.status).toBe('partial')
    expect(run.gaps.map((g) => [g.code, path.basename(g.resource)]).sort()).toEqual([['invalid-json', 'truncated.json'], ['unknown-shape', 'notes.json']])
    const imported = result.perFile.filter((f) => f.kind !== undefined)
    expect(imported.map((f) => [path.basename(f.file), f.kind]).sort()).toEqual([
      ['iam_get-role.json', 'iam.role'],
      ['invpclambda-policy.json', 'lambda.policy'],
      ['lambda_get-function-url-config.json', 'lambda.url-config'],
      ['lambda_get-function.json', 'lambda.function'],
      ['lambda_get-policy.json', 'lambda.policy'],
    ])
    expect(imported.find((f) => f.kind === 'lambda.function')!.original).toMatch(/\/lambda\/ca-centralnorth-1r\/stratus-red-team-backdoor-f-func\/imported\/lambda_get-function\.json$/)
    expect(imported.find((f) => f.kind === 'iam.role')!.original).toMatch(/\/iam\/global\/stratus-red-team-backdoor-f-role\/imported\/iam_get-role\.json$/)
    expect((await verifyCase(store, 'INC-IMP')).ok).toBe(true)

    const db = path.join(dir, 'case.duckdb')
    const loaded = await loadCase(store, 'INC-IMP', {dbPath: db})
    expect(loaded.tables).toMatchObject({lambda_functions: 1, lambda_url_configs: 1, lambda_policies: 2})
    const conn = await openForQuery(db)
    try {
      const queries = loadQueries()
      const open = await runNamedQuery(conn, findQuery(queries, 'lambda-policy-open-statements'), {})
      expect(open.rows.map((r) => [r.function, r.sid, r.principal])).toEqual([['stratus-red-team-backdoor-f-func', 'backdoor', '*']])
      const url = await runNamedQuery(conn, findQuery(queries, 'lambda-url-configs-public'), {})
      expect(url.rows.map((r) => r.function)).toEqual(['stratus-red-team-backdoor-f-func'])
    } finally {
      conn.close()
    }
  })

  it('accounts for every file as the CloudTrail import does: a licence, a note, a FIFO and a link out of the folder named with why, in the journal and as gaps', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await cp(SAMPLE, input, {recursive: true})
    await cp(path.join(repoRoot, 'samples', 'incident', 'LICENSE-aws-cli.txt'), path.join(input, 'LICENSE-aws-cli.txt'))
    await writeFile(path.join(input, 'README'), 'exported by the customer on 2026-11-20')
    await mkdir(path.join(input, 'more'))
    await writeFile(path.join(input, 'more', 'list-aliases.txt'), JSON.stringify({Aliases: []}))
    execFileSync('mkfifo', [path.join(input, 'pipe')])
    await writeFile(path.join(dir, 'outside.json'), JSON.stringify({Aliases: []}))
    await symlink(path.join(dir, 'outside.json'), path.join(input, 'link.json'))
    const store = new LocalDirectoryStore(path.join(dir, 'store'))
    const {result, run} = await runStep({...testContext(store), caseId: 'INC-ACC'}, lambdaImportStep, {paths: [input]})

    expect(run.status).toBe('partial')
    expect(result).toMatchObject({files: 9, read: 7, imported: 5, unrecognised: 2, refused: 2, notRead: 0, interrupted: false})
    const named = (f: {file: string; status: string; code?: string}) => [path.relative(input, f.file), f.status, f.code]
    expect(result.perFile.filter((f) => f.status !== 'imported').map(named)).toEqual([
      ['LICENSE-aws-cli.txt', 'unrecognised', 'invalid-json'],
      ['README', 'unrecognised', 'invalid-json'],
      ['link.json', 'refused', 'outside-folder'],
      ['pipe', 'refused', 'special-file'],
    ])
    expect(result.perFile.find((f) => f.file.endsWith('list-aliases.txt'))).toMatchObject({status: 'imported', kind: 'lambda.aliases'})
    expect(run.gaps.map((g) => [g.code, path.basename(g.resource)]).sort()).toEqual([['invalid-json', 'LICENSE-aws-cli.txt'], ['invalid-json', 'README'], ['outside-folder', 'link.json'], ['special-file', 'pipe']])
    const entries = []
    for await (const l of journalLines(store, `cases/INC-ACC/runs/${run.runId}/custody.jsonl`)) entries.push(l.entry!)
    const notes = entries.filter((e) => e.type === 'note' && e.message === 'lambda-import file').map((e) => [path.relative(input, String(e.file)), e.status])
    expect(notes).toHaveLength(9)
    expect(notes).toContainEqual(['LICENSE-aws-cli.txt', 'unrecognised'])
  })
})
