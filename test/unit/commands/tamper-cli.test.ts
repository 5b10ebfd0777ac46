import {generateKeyPairSync} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {DuckDBInstance} from '@duckdb/node-api'
import {describe, expect, it} from 'vitest'
import {computeSelfDigest, serializeManifest, type Manifest} from '../../../src/evidence/manifest.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {deliveryFile, gz, stratusRecords, writeCase} from '../../support/evidence-case.js'
import {recordAsLoaded} from '../../support/sigma-db.js'
import {tempDir} from '../../support/temp.js'

const RAW = /[\u001b\u0007\u009b\u202e\u2066]/
const COUNT = 'SELECT count(*) AS n, max(artifact_key) AS evidence_key, max(artifact_sha256) AS evidence_sha256 FROM cloudtrail_events'

async function twoStores(): Promise<{dir: string; a: string; b: string; db: string}> {
  const dir = await tempDir()
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  await writeCase(a, 'INC-S', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'), 'stop.json.gz')])
  await writeCase(b, 'INC-S', [deliveryFile(stratusRecords('aws.persistence.lambda-backdoor-function'), 'backdoor.json.gz')])
  return {dir, a, b, db: path.join(dir, 'case.duckdb')}
}

const rows = (stdout: string): Array<Record<string, unknown>> => (JSON.parse(stdout) as Envelope<{rows: Array<Record<string, unknown>>}>).result.rows

describe('load refuses what verify would refuse, and prints what it read escaped', () => {
  it('shows a key planted in a re-sealed manifest escaped, never raw, whether it refuses or accepts the damage', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const file = path.join(dir, 'note.txt')
    await writeFile(file, 'seen at 09:00')
    const added = JSON.parse((await coroner(['evidence', 'add', file, '--case', 'INC-E', '--store', store, '--json'])).stdout) as Envelope<{run: {manifestKey: string; runId: string}}>
    const manifestPath = path.join(store, ...added.result.run.manifestKey.split('/'))
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
    const planted = `cases/INC-E/runs/${added.result.run.runId}/\u001b[2J\u001b[HALL EVIDENCE VERIFIED OK\u202e`
    manifest.artifacts.push({...manifest.artifacts[0]!, key: planted})
    manifest.selfDigest = computeSelfDigest(manifest)
    await chmod(manifestPath, 0o644)
    await writeFile(manifestPath, serializeManifest(manifest))
    await chmod(manifestPath, 0o444)

    const refused = await coroner(['load', '--case', 'INC-E', '--store', store, '--db', path.join(dir, 'case.duckdb')])
    expect(refused.error?.oclif?.exit).toBe(3)
    expect(refused.stderr).toContain('Error [evidence-unverified]')
    expect(refused.stderr).toContain('\\u001b[2J\\u001b[HALL EVIDENCE VERIFIED OK\\u202e')
    const accepted = await coroner(['load', '--case', 'INC-E', '--store', store, '--db', path.join(dir, 'case.duckdb'), '--accept-damaged'])
    expect(accepted.error?.oclif?.exit).toBe(3)
    expect(accepted.stdout).toContain('REFUSED missing: cases/INC-E/runs/')
    expect(accepted.stdout).toContain('\\u001b[2J\\u001b[HALL EVIDENCE VERIFIED OK')
    for (const out of [refused, accepted]) expect(out.stdout + out.stderr).not.toMatch(RAW)
  })
})

describe('the case database belongs to its store', () => {
  it('refuses to answer for store B from a database built from store A; --reload rebuilds it from B', async () => {
    const s = await twoStores()
    expect((await coroner(['load', '--case', 'INC-S', '--store', s.a, '--db', s.db])).error).toBeUndefined()
    const fromA = rows((await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.a, '--db', s.db, '--json'])).stdout)
    const other = await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.b, '--db', s.db, '--json'])
    expect(other.error?.oclif?.exit).toBe(2)
    const env = JSON.parse(other.stdout) as Envelope<never>
    expect(env.error).toMatchObject({code: 'case-db-foreign', message: expect.stringContaining(`built from store file://${s.a}, and file://${s.b} holds other evidence`)})
    expect(env.error?.hint).toMatch(/--reload/)
    for (const cmd of [['timeline'], ['hunt', '--no-fail'], ['findings', '--no-fail']]) {
      const out = await coroner([...cmd, '--case', 'INC-S', '--store', s.b, '--db', s.db, '--json'])
      expect(JSON.parse(out.stdout).error?.code, cmd[0]).toBe('case-db-foreign')
    }
    const reloaded = await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.b, '--db', s.db, '--reload', '--json'])
    expect(reloaded.error).toBeUndefined()
    expect(String(fromA[0]!.evidence_key)).toMatch(/stop\.json\.gz$/)
    expect(String(rows(reloaded.stdout)[0]!.evidence_key)).toMatch(/backdoor\.json\.gz$/)
  })

  it('refuses a database built from older evidence: a run sealed after it was built', async () => {
    const s = await twoStores()
    expect((await coroner(['load', '--case', 'INC-S', '--store', s.a, '--db', s.db])).error).toBeUndefined()
    const note = path.join(s.dir, 'later.json')
    await writeFile(note, '{}')
    await coroner(['evidence', 'add', note, '--case', 'INC-S', '--store', s.a])
    const stale = await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.a, '--db', s.db, '--json'])
    expect(stale.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(stale.stdout).error).toMatchObject({code: 'case-db-stale', message: expect.stringMatching(/run \S+ was sealed after it was built/)})
    expect((await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.a, '--db', s.db, '--reload', '--json'])).error).toBeUndefined()
    // Given alone, a database is checked against the store it records.
    expect((await coroner(['query', '--sql', COUNT, '--db', s.db, '--json'])).error).toBeUndefined()
  })

  it('refuses a database whose tables are laid out by another coroner, older or newer; --reload rebuilds it', async () => {
    const s = await twoStores()
    expect((await coroner(['load', '--case', 'INC-S', '--store', s.a, '--db', s.db])).error).toBeUndefined()
    const alter = async (sql: string): Promise<void> => {
      const instance = await DuckDBInstance.create(s.db)
      const c = await instance.connect()
      await c.run(sql)
      c.closeSync()
      instance.closeSync()
    }
    // Built before layouts were numbered (no column), and by a later coroner.
    for (const [sql, layout] of [['ALTER TABLE case_load DROP COLUMN layout', 1], ['ALTER TABLE case_load ADD COLUMN layout INTEGER DEFAULT 99', 99]] as const) {
      await alter(sql)
      for (const cmd of [['query', '--sql', COUNT], ['timeline'], ['findings', '--no-fail']]) {
        const out = await coroner([...cmd, '--case', 'INC-S', '--store', s.a, '--db', s.db, '--json'])
        expect(out.error?.oclif?.exit, cmd[0]).toBe(2)
        expect(JSON.parse(out.stdout).error, cmd[0]).toMatchObject({code: 'case-db-layout', message: expect.stringContaining(`(layout ${layout}; this coroner reads layout `), hint: expect.stringMatching(/--reload/)})
      }
    }
    const reloaded = await coroner(['query', '--sql', COUNT, '--case', 'INC-S', '--store', s.a, '--db', s.db, '--reload', '--json'])
    expect(reloaded.error).toBeUndefined()
    expect(rows(reloaded.stdout)[0]!.n).toBe(stratusRecords('aws.defense-evasion.cloudtrail-stop').length)
    expect((await coroner(['timeline', '--case', 'INC-S', '--store', s.a, '--db', s.db, '--json'])).error).toBeUndefined()
  })

  it('refuses a crafted database with every analysis command, and no file is read through it', async () => {
    const dir = await tempDir()
    const secret = path.join(dir, 'secret.txt')
    await writeFile(secret, 'TOP-SECRET-91c2')
    const store = path.join(dir, 'store')
    const crafted = async (name: string, record: 'none' | 'view' | 'forged'): Promise<string> => {
      const file = path.join(dir, name)
      const instance = await DuckDBInstance.create(file)
      const c = await instance.connect()
      await c.run(`CREATE VIEW cloudtrail_events AS SELECT 'e' AS event_id, now() AS event_time, content AS event_name, content AS raw, 'k' AS artifact_key, 'h' AS artifact_sha256 FROM read_text('${secret}')`)
      await c.run(`CREATE VIEW timeline AS SELECT now() AS time, 'cloudtrail' AS source, content AS actor, content AS action, content AS target, NULL AS source_ip, content AS detail, 'k' AS evidence_key, 'h' AS evidence_sha256, 'e' AS event_id FROM read_text('${secret}')`)
      if (record === 'view') await c.run(`CREATE VIEW case_load AS SELECT 'INC-X' AS case_id, content AS store FROM read_text('${secret}')`)
      if (record === 'forged') await recordAsLoaded(c, 'INC-X', store)
      c.closeSync()
      instance.closeSync()
      return file
    }
    for (const record of ['none', 'view'] as const) {
      const db = await crafted(`${record}.duckdb`, record)
      for (const cmd of [['query', '--sql', COUNT], ['timeline'], ['hunt', '--case', 'INC-X'], ['findings', '--case', 'INC-X'], ['export', 'parquet', '--to', path.join(dir, `out-${record}`)], ['report', '--case', 'INC-X', '--format', 'json']]) {
        const out = await coroner([...cmd, '--store', store, '--db', db, '--json'])
        expect(JSON.parse(out.stdout).error?.code, `${record}: ${cmd[0]}`).toBe('case-db-foreign')
        expect(out.stdout + out.stderr).not.toContain('TOP-SECRET-91c2')
      }
    }
    // A record forged to pass for the store: the lock on every connection still keeps the file out.
    const forged = await crafted('forged.duckdb', 'forged')
    for (const cmd of [['query', '--sql', COUNT], ['timeline']]) {
      const out = await coroner([...cmd, '--store', store, '--db', forged, '--json'])
      expect(out.error, cmd[0]).toBeDefined()
      expect(out.stdout + out.stderr).not.toContain('TOP-SECRET-91c2')
      expect(out.stdout).toMatch(/disabled by configuration|external access|Permission/i)
    }
  })
})

/** Two runs of `evidence add` into a fresh store, and what each printed that `pattern` captures (the head, the manifest SHA-256). */
async function twoRunsPrinting(caseId: string, pattern: RegExp): Promise<{dir: string; store: string; printed: string[]; deleteLatest(): Promise<void>}> {
  const dir = await tempDir()
  const store = path.join(dir, 'store')
  const file = path.join(dir, 'a.json')
  await writeFile(file, '{}')
  const printed: string[] = []
  for (let i = 0; i < 2; i++) {
    const out = await coroner(['evidence', 'add', file, '--case', caseId, '--store', store])
    const m = pattern.exec(out.stdout)
    expect(m, out.stdout).not.toBeNull()
    printed.push(m![1]!)
  }
  const runs = path.join(store, 'cases', caseId, 'runs')
  return {dir, store, printed, deleteLatest: async () => rm(path.join(runs, (await readdir(runs)).sort().at(-1)!), {recursive: true})}
}

describe('the case head and signatures on the command line', () => {
  it('prints the case head at the end of every run; verify --expect passes until a run is removed', async () => {
    const {store, printed: heads, deleteLatest} = await twoRunsPrinting('INC-H', /^Case head (\d+:[0-9a-f]{32}) \(record it/m)
    expect(heads.map((h) => h.split(':')[0])).toEqual(['1', '2'])
    const ok = await coroner(['evidence', 'verify', '--case', 'INC-H', '--store', store, '--expect', heads[1]!])
    expect(ok.error).toBeUndefined()
    expect(ok.stdout).toContain(`Expected head ${heads[1]}: found`)
    const older = await coroner(['evidence', 'verify', '--case', 'INC-H', '--store', store, '--expect', heads[0]!])
    expect(older.error).toBeUndefined()
    expect(older.stdout).toContain('1 run(s) sealed after it')
    await deleteLatest()
    const plain = await coroner(['evidence', 'verify', '--case', 'INC-H', '--store', store])
    expect(plain.error).toBeUndefined()
    const expected = await coroner(['evidence', 'verify', '--case', 'INC-H', '--store', store, '--expect', heads[1]!, '--json'])
    expect(expected.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(expected.stdout) as Envelope<{cases: Array<{issues: Array<{code: string}>}>}>
    expect(env.result.cases[0]!.issues.map((i) => i.code)).toEqual(['head-mismatch'])
    const bad = await coroner(['evidence', 'verify', '--case', 'INC-H', '--store', store, '--expect', 'yesterday', '--json'])
    expect(JSON.parse(bad.stdout).error.code).toBe('invalid-head')
  })

  it('verify --expect takes the full manifest SHA-256 a run prints, and fails once that run is deleted', async () => {
    const {dir, store, printed: shas, deleteLatest} = await twoRunsPrinting('INC-S', /^Manifest SHA-256 ([0-9a-f]{64})$/m)
    const verify = (sha: string) => coroner(['evidence', 'verify', '--case', 'INC-S', '--store', store, '--expect', sha, '--json'])
    expect((await verify(shas[1]!)).error).toBeUndefined()
    await deleteLatest()
    expect((await coroner(['evidence', 'verify', '--case', 'INC-S', '--store', store])).error).toBeUndefined()
    const deleted = await verify(shas[1]!.toUpperCase())
    expect(deleted.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(deleted.stdout) as Envelope<{cases: Array<{issues: Array<{code: string; message: string}>}>}>
    expect(env.result.cases[0]!.issues).toEqual([expect.objectContaining({code: 'head-mismatch', message: expect.stringContaining(shas[1]!)})])
    const loaded = await coroner(['load', '--case', 'INC-S', '--store', store, '--db', path.join(dir, 'case.duckdb'), '--expect', shas[1]!, '--json'])
    expect(JSON.parse(loaded.stdout).error.code).toBe('evidence-unverified')
  })

  it('signs with a local Ed25519 key and verifies with the public key alone', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const keys = generateKeyPairSync('ed25519')
    const priv = path.join(dir, 'signing.pem')
    const pub = path.join(dir, 'signing.pub.pem')
    const otherPub = path.join(dir, 'other.pub.pem')
    await writeFile(priv, keys.privateKey.export({type: 'pkcs8', format: 'pem'}))
    await writeFile(pub, keys.publicKey.export({type: 'spki', format: 'pem'}))
    await writeFile(otherPub, generateKeyPairSync('ed25519').publicKey.export({type: 'spki', format: 'der'}))
    const file = path.join(dir, 'a.json')
    await writeFile(file, '{}')
    const added = await coroner(['evidence', 'add', file, '--case', 'INC-K', '--store', store, '--sign-key', priv])
    expect(added.stdout).toMatch(/^Signed by ed25519:[0-9a-f]{64} \(public key SHA-256 [0-9a-f]{64}\)$/m)
    const runId = (await readdir(path.join(store, 'cases', 'INC-K', 'runs')))[0]!
    expect(existsSync(path.join(store, 'cases', 'INC-K', 'runs', runId, 'manifest.sig.json'))).toBe(true)
    const given = await coroner(['evidence', 'verify', '--case', 'INC-K', '--store', store, '--public-key', pub])
    expect(given.error).toBeUndefined()
    expect(given.stdout).toMatch(/Signed: 1 of 1 sealed run\(s\), key [0-9a-f]{64} \(checked with the key given\)/)
    const stored = await coroner(['evidence', 'verify', '--case', 'INC-K', '--store', store])
    expect(stored.error).toBeUndefined()
    expect(stored.stderr).toMatch(/checked against the public key stored beside them/)
    const wrong = await coroner(['evidence', 'verify', '--case', 'INC-K', '--store', store, '--public-key', otherPub, '--json'])
    expect(wrong.error?.oclif?.exit).toBe(3)
    expect((JSON.parse(wrong.stdout) as Envelope<{cases: Array<{issues: Array<{code: string}>}>}>).result.cases[0]!.issues.map((i) => i.code)).toEqual(['signature-wrong-key', 'signature-missing'])
    const notAKey = await coroner(['evidence', 'add', file, '--case', 'INC-K', '--store', store, '--sign-key', pub, '--json'])
    expect(JSON.parse(notAKey.stdout).error.code).toBe('invalid-signing-key')
  })
})

describe('JSON and CSV output escape control and bidirectional characters', () => {
  it('in the --json envelope, --csv and --ndjson, the value kept for any reader', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const message = 'ok\u001b[31m red \u202eexe.txt\u2066 \u0085'
    const events = [{logGroupName: '/aws/lambda/f', logStreamName: 's', timestamp: Date.parse('2026-11-20T10:00:00Z'), ingestionTime: 0, message, eventId: 'e1'}]
    await writeCase(store, 'INC-J', [{segments: ['logs', 'us-east-1', 'f', 'events.ndjson.gz'], kind: 'logs.events', body: gz(`${JSON.stringify(events[0])}\n`), contentType: 'application/x-ndjson+gzip'}])
    const db = path.join(dir, 'case.duckdb')
    const sql = 'SELECT message, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256 FROM log_events'
    const json = await coroner(['query', '--sql', sql, '--case', 'INC-J', '--store', store, '--db', db, '--json'])
    const csv = await coroner(['query', '--sql', sql, '--case', 'INC-J', '--store', store, '--db', db, '--csv'])
    const nd = await coroner(['query', '--sql', sql, '--case', 'INC-J', '--store', store, '--db', db, '--ndjson'])
    for (const out of [json, csv, nd]) {
      expect(out.error).toBeUndefined()
      expect(out.stdout).not.toMatch(RAW)
      expect(out.stdout).not.toContain('\u0085')
    }
    expect(rows(json.stdout)[0]!.message).toBe(message)
    expect((JSON.parse(nd.stdout.trim()) as {message: string}).message).toBe(message)
    expect(csv.stdout).toContain('ok\\u001b[31m red \\u202eexe.txt\\u2066 \\u0085')
  })
})
