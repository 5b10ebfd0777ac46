import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import {codeVersionDiff, functionCodeChanges} from '../../../src/analysis/code/diff.js'
import type {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase, type LoadResult} from '../../../src/analysis/load.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {openForQuery, runNamedQuery} from '../../../src/analysis/run-query.js'
import {LAYER_ARN, PY_LAYER_ARN, codeScenario} from '../../support/code-fixtures.js'
import {writeCase} from '../../support/evidence-case.js'

let dir: string
let db: AnalysisDb
let loaded: LoadResult
const queries = loadQueries()
const query = async (id: string, params: Record<string, string> = {}) => (await runNamedQuery(db, findQuery(queries, id), params)).rows

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-code-'))
  const {store} = await writeCase(path.join(dir, 'store'), 'INC-CODE', codeScenario().specs)
  loaded = await loadCase(store, 'INC-CODE', {dbPath: path.join(dir, 'case.duckdb')})
  db = await openForQuery(path.join(dir, 'case.duckdb'))
})

afterAll(async () => {
  db?.close()
  await rm(dir, {recursive: true, force: true})
})

describe('load: code packages and layers into the code tables', () => {
  it('reads every package once and gives each version that runs it its rows', async () => {
    expect(loaded.code).toEqual({
      packages: 7, read: 7, partial: 0, unreadable: 0, files: 27, indicators: 24, anomalies: {}, notScanned: {binary: 0, oversized: 0, unread: 0},
    })
    expect(loaded.artifacts).toMatchObject({total: 12, loaded: 12, notLoaded: 0})
    const packages = (await db.all("SELECT coalesce(function_name, layer_arn) AS owner, version, previous_version FROM lambda_code_packages ORDER BY ALL")).rows
    expect(packages).toEqual([
      {owner: PY_LAYER_ARN, version: '1', previous_version: null},
      {owner: LAYER_ARN, version: '1', previous_version: null},
      {owner: LAYER_ARN, version: '2', previous_version: '1'},
      // $LATEST is version 2's package, stored once under $LATEST: both versions have its files.
      {owner: 'orders-api', version: '$LATEST', previous_version: '2'},
      {owner: 'orders-api', version: '1', previous_version: null},
      {owner: 'orders-api', version: '2', previous_version: '1'},
      {owner: 'reports-job', version: '1', previous_version: null},
      {owner: 'reports-job', version: '2', previous_version: '1'},
    ])
    const files = (await db.all("SELECT version, count(*) AS n, count(DISTINCT artifact_key) AS pkgs FROM lambda_code_files WHERE function_name = 'orders-api' GROUP BY 1 ORDER BY 1")).rows
    expect(files).toEqual([{version: '$LATEST', n: 6, pkgs: 1}, {version: '1', n: 6, pkgs: 1}, {version: '2', n: 6, pkgs: 1}])
    const row = (await db.all("SELECT * FROM lambda_code_files WHERE function_name = 'orders-api' AND version = '2' AND path = 'index.js'")).rows[0]!
    expect(row).toMatchObject({entry_type: 'file', mode: '-rw-r--r--', content: 'text', language: 'javascript', install_path: '/var/task/index.js', modified: '2026-11-20T10:00:00.000Z', indicators: 5})
    expect(row.artifact_key).toMatch(/orders-api\/versions\/%24LATEST\/code\.zip$/)
  })
})

describe('named queries over code', () => {
  it('lambda-code-changed-files names exactly the changed files of each version', async () => {
    const rows = await query('lambda-code-changed-files')
    expect(rows.map((r) => [r.function_name ?? r.layer_arn, r.previous_version, r.version, r.change, r.path])).toEqual([
      [LAYER_ARN, '1', '2', 'added', 'extensions/telemetry'],
      [LAYER_ARN, '1', '2', 'added', 'nodejs/node_modules/@aws-sdk/client-s3/index.js'],
      ['orders-api', '1', '2', 'changed', 'index.js'],
      ['orders-api', '1', '2', 'changed', 'node_modules/left-pad/index.js'],
      ['orders-api', '1', '2', 'changed', 'node_modules/left-pad/package.json'],
      ['orders-api', '1', '2', 'changed', 'package.json'],
      ['reports-job', '1', '2', 'changed', 'app.py'],
      ['reports-job', '1', '2', 'changed', 'requests/__version__.py'],
      ['reports-job', '1', '2', 'changed', 'requirements.txt'],
    ])
    expect(await query('lambda-code-changed-files', {function: 'reports-job'})).toHaveLength(3)
  })

  it('lambda-code-new-indicators finds the outbound call, the credential variables and the blob, and nothing of the unchanged files', async () => {
    const rows = await query('lambda-code-new-indicators')
    const fn = rows.filter((r) => r.function_name !== null).map((r) => [r.function_name, r.version, r.path, r.line, r.kind, r.value])
    expect(fn).toEqual([
      ['orders-api', '2', 'index.js', 2, 'base64-blob', expect.stringMatching(/^aW1wb3J0IG9z.*\(296 chars\)$/)],
      ['orders-api', '2', 'index.js', 5, 'url', 'https://telemetry.evil-cdn.ru/v1/collect'],
      ['orders-api', '2', 'index.js', 5, 'credential-env', 'AWS_ACCESS_KEY_ID'],
      ['orders-api', '2', 'index.js', 5, 'credential-env', 'AWS_SECRET_ACCESS_KEY'],
      ['orders-api', '2', 'index.js', 5, 'credential-env', 'AWS_SESSION_TOKEN'],
      ['reports-job', '2', 'app.py', 2, 'base64-blob', expect.stringMatching(/\(296 chars\)$/)],
      ['reports-job', '2', 'app.py', 5, 'url', 'http://203.0.113.50:8443/u'],
      ['reports-job', '2', 'app.py', 5, 'ip-address', '203.0.113.50'],
      ['reports-job', '2', 'app.py', 5, 'credential-env', 'AWS_SECRET_ACCESS_KEY'],
      ['reports-job', '2', 'app.py', 5, 'credential-env', 'AWS_SESSION_TOKEN'],
    ])
    // The unchanged files have indicators of their own (child_process, subprocess, URLs) in every version: none is new.
    expect((await db.all("SELECT path, count(*) AS n FROM lambda_code_indicators WHERE path IN ('lib/db.js', 'utils/helpers.py') GROUP BY 1 ORDER BY 1")).rows).toEqual([
      {path: 'lib/db.js', n: 6},
      {path: 'utils/helpers.py', n: 4},
    ])
    expect(rows.filter((r) => r.layer_arn !== null).map((r) => [r.path, r.kind])).toEqual([
      ['extensions/telemetry', 'process-execution'],
      ['extensions/telemetry', 'url'],
      ['extensions/telemetry', 'ip-address'],
      ['extensions/telemetry', 'proc-environ'],
      ['nodejs/node_modules/@aws-sdk/client-s3/index.js', 'url'],
      ['nodejs/node_modules/@aws-sdk/client-s3/index.js', 'credential-env'],
    ])
    const hashes = new Map((await db.all('SELECT key, sha256 FROM artifacts')).rows.map((r) => [r.key, r.sha256]))
    for (const r of rows) expect(hashes.get(r.evidence_key as string)).toBe(r.evidence_sha256)
  })

  it('counts a second occurrence in a file as new even when the first was there before', async () => {
    // Version 2 of reports-job reads AWS_SESSION_TOKEN once; against version 1 (none) it is new, against itself nothing is.
    const same = await codeVersionDiff(db, 'reports-job', '2', '2')
    expect(same.newIndicators).toEqual([])
    const back = await codeVersionDiff(db, 'orders-api', '2', '1')
    expect(back.newIndicators).toEqual([])
    expect(back.files.changed.map((f) => f.path)).toHaveLength(4)
  })

  it('lambda-layer-overrides-runtime names the SDK, boto3 and standard-library shadows and the extension', async () => {
    const rows = await query('lambda-layer-overrides-runtime')
    expect(rows.map((r) => [r.function_name, r.version, r.overrides, r.path])).toEqual([
      ['orders-api', '2', 'extension telemetry', 'extensions/telemetry'],
      ['orders-api', '2', 'runtime module @aws-sdk/client-s3', 'nodejs/node_modules/@aws-sdk/client-s3/index.js'],
      ['orders-api', '$LATEST', 'extension telemetry', 'extensions/telemetry'],
      ['orders-api', '$LATEST', 'runtime module @aws-sdk/client-s3', 'nodejs/node_modules/@aws-sdk/client-s3/index.js'],
      ['reports-job', '2', 'runtime module boto3', 'python/boto3/__init__.py'],
      ['reports-job', '2', 'runtime module json', 'python/json.py'],
    ])
    expect(rows[0]).toMatchObject({layer: `${LAYER_ARN}:2`, layer_position: 1, files: 1})
  })

  it('lambda-code-archive-anomalies is silent on well-formed packages', async () => {
    expect(await query('lambda-code-archive-anomalies')).toEqual([])
  })
})

describe('the version diff a report renders', () => {
  it('gives each step of each function: new indicators first, then files', async () => {
    const steps = await functionCodeChanges(db)
    expect(steps.map((s) => [s.functionName, s.from.version, s.to.version, s.newIndicators.length, s.files.changed.length, s.unchanged])).toEqual([
      ['orders-api', '1', '2', 5, 4, 2],
      ['reports-job', '1', '2', 5, 3, 1],
    ])
    await expect(codeVersionDiff(db, 'orders-api', '1', '9')).rejects.toThrow(/no collected package for version 9; it has 1, 2, \$LATEST/)
    await expect(codeVersionDiff(db, 'nope', '1', '2')).rejects.toThrow(/no code package of function nope/)
  })
})
