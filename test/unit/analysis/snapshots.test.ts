import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {describeChanges, diffDocuments} from '../../../src/analysis/snapshot-diff.js'
import {fixedClock} from '../../../src/core/clock.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {tempDir} from '../../support/temp.js'

const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:payments'
const fn = (stage: string) => ({Configuration: {FunctionName: 'payments', FunctionArn: ARN, Version: '$LATEST', Environment: {Variables: {STAGE: stage}}}, Code: {Location: `https://x/${stage}`}})
const url = (auth: string) => ({FunctionArn: ARN, FunctionUrl: 'https://abc.lambda-url.us-east-1.on.aws/', AuthType: auth, CreationTime: '2026-11-20T08:00:00Z'})

/** One collector run of the function, as `collect lambda` writes it, with the gaps it met. */
async function collected(store: LocalDirectoryStore, start: string, parts: {stage: string; auth?: string; gap?: string; seal?: boolean; failed?: boolean}): Promise<string> {
  const run = await EvidenceRun.begin({store, caseId: 'INC-S', command: 'collect lambda', parameters: {}, clock: fixedClock(start, 1000)})
  const put = (segments: string[], value: unknown, kind: string) =>
    run.putArtifact(['lambda', 'us-east-1', 'payments', ...segments], JSON.stringify(value), {kind, contentType: 'application/json', source: ARN, collector: 'lambda', attributes: {functionName: 'payments'}})
  await put(['versions', '$LATEST', 'function.json'], fn(parts.stage), 'lambda.function')
  if (parts.auth !== undefined) await put(['url-config.json'], url(parts.auth), 'lambda.url-config')
  if (parts.gap !== undefined) await run.gap({collector: 'lambda', resource: 'payments', region: 'us-east-1', code: 'access-denied', reason: `${parts.gap} was denied (AccessDeniedException); grant the permission ${parts.gap} to the collecting identity.`})
  if (parts.failed === true) await run.step('lambda-function', {function: 'other'}, () => Promise.reject(new Error('socket hang up'))).catch(() => undefined)
  if (parts.seal !== false) await run.finish(parts.gap === undefined ? 'complete' : 'partial')
  return run.runId
}

async function load(runs: Array<Parameters<typeof collected>[2]>) {
  const dir = await tempDir()
  const store = new LocalDirectoryStore(path.join(dir, 'store'))
  const ids: string[] = []
  for (const [i, r] of runs.entries()) ids.push(await collected(store, `2026-11-2${i}T10:00:00Z`, r))
  const dbPath = path.join(dir, 'case.duckdb')
  await loadCase(store, 'INC-S', {dbPath, acceptDamaged: true})
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    const urls = (await db.all('SELECT run_id, auth_type, latest FROM lambda_url_configs_history ORDER BY collected_at')).rows
    const current = (await db.all('SELECT run_id, auth_type FROM lambda_url_configs')).rows
    const changes = (await db.all('SELECT change, kind, from_run, to_run, fields, detail FROM snapshot_changes ORDER BY "time", kind')).rows
    return {ids, urls, current, changes}
  } finally {
    db.close()
  }
}

describe('snapshots across runs', () => {
  it('names the URL auth change with its values, and the environment change by path only', async () => {
    const {ids, current, changes} = await load([{stage: 'prod-secret-1', auth: 'AWS_IAM'}, {stage: 'prod-secret-2', auth: 'NONE'}])
    expect(current).toEqual([{run_id: ids[1], auth_type: 'NONE'}])
    expect(changes.map((c) => [c.change, c.kind, c.from_run, c.to_run])).toEqual([
      ['changed', 'lambda.function', ids[0], ids[1]],
      ['changed', 'lambda.url-config', ids[0], ids[1]],
    ])
    expect(JSON.parse(String(changes[0]!.fields))).toEqual([{path: 'Configuration.Environment.Variables.STAGE'}])
    expect(String(changes[1]!.detail)).toContain('AuthType: "AWS_IAM" → "NONE"')
    expect(JSON.stringify(changes)).not.toMatch(/prod-secret|https:\/\/x\//)
  })

  it('keeps the last URL read when a later run could not read it, was interrupted or failed part-way, and retires it when a later run found none', async () => {
    const denied = await load([{stage: 'a', auth: 'NONE'}, {stage: 'a', gap: 'lambda:GetFunctionUrlConfig'}])
    expect(denied.current).toEqual([{run_id: denied.ids[0], auth_type: 'NONE'}])
    expect(denied.changes).toEqual([])

    const interrupted = await load([{stage: 'a', auth: 'NONE'}, {stage: 'a', seal: false}])
    expect(interrupted.current).toEqual([{run_id: interrupted.ids[0], auth_type: 'NONE'}])

    const broken = await load([{stage: 'a', auth: 'NONE'}, {stage: 'a', failed: true}])
    expect(broken.current).toEqual([{run_id: broken.ids[0], auth_type: 'NONE'}])

    const gone = await load([{stage: 'a', auth: 'NONE'}, {stage: 'a'}, {stage: 'a', auth: 'AWS_IAM'}])
    expect(gone.urls).toEqual([{run_id: gone.ids[0], auth_type: 'NONE', latest: false}, {run_id: gone.ids[2], auth_type: 'AWS_IAM', latest: true}])
    expect(gone.changes.map((c) => [c.change, c.from_run, c.to_run])).toEqual([['removed', gone.ids[0], gone.ids[1]], ['added', gone.ids[1], gone.ids[2]]])
  })

  it('diffs documents by path, ignoring what changes on every read', () => {
    const a = {Code: {Location: 'https://one'}, RevisionId: '1', Configuration: {Timeout: 3, Layers: ['x'], Environment: {Variables: {K: 'v1'}}}}
    const b = {Code: {Location: 'https://two'}, RevisionId: '2', Configuration: {Timeout: 30, Layers: ['x', 'y'], Environment: {Variables: {K: 'v2', NEW: 'n'}}}}
    const changes = diffDocuments(a, b)
    expect(changes).toEqual([
      {path: 'Configuration.Environment.Variables.K'},
      {path: 'Configuration.Environment.Variables.NEW'},
      {path: 'Configuration.Layers'},
      {path: 'Configuration.Timeout', from: '3', to: '30'},
    ])
    expect(describeChanges(changes, 2)).toBe('Configuration.Environment.Variables.K; Configuration.Environment.Variables.NEW; and 2 more')
    expect(diffDocuments(a, {...a, Code: {Location: 'https://three'}})).toEqual([])
  })
})
