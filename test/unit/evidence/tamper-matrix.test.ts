import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {chmod, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {loadCase} from '../../../src/analysis/load.js'
import {fixedClock} from '../../../src/core/clock.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {ISSUE_CODES, verifyCase, type VerifyOptions} from '../../../src/evidence/verify.js'
import {repoRoot} from '../../support/cli.js'
import {tempDir} from '../../support/temp.js'
import {appendFile, fileOf, forgeRunThroughout, gz, replaceBySymlink, resealWithForgedArtifact, rewrite, sha, stopLogging, tamperCase, type TamperCase} from '../../support/tamper-case.js'

const run = promisify(execFile)
const CHECKER = path.join(repoRoot, 'tools', 'verify-case.mjs')

/** One way an intruder with write access to a local store damages a case, and the problem code verify must name. */
interface Tamper {
  name: string
  code: string
  sign?: boolean
  /** Where the problem is: the key or run it must name (default: anywhere). */
  names?: (c: TamperCase) => string
  tamper: (c: TamperCase) => Promise<void>
  /** Checks beyond the store alone: the head recorded in the ticket, the public key. */
  options?: (c: TamperCase, head: string) => VerifyOptions
}

const first = (c: TamperCase) => c.runs[0]!
const last = (c: TamperCase) => c.runs.at(-1)!
const journalPath = (c: TamperCase, i: number) => fileOf(c, c.runs[i]!.journalKey)
const editLines = (edit: (lines: string[]) => string[]) => (b: Buffer) => edit(b.toString('utf8').split('\n')).join('\n')

const MATRIX: Tamper[] = [
  {name: 'byte flip', code: 'artifact-altered', names: (c) => first(c).artifacts[1]!.key, tamper: (c) => rewrite(fileOf(c, first(c).artifacts[1]!.key), (b) => Buffer.from(b.map((x, i) => (i === 3 ? x ^ 1 : x))))},
  {name: 'truncation', code: 'artifact-altered', names: (c) => first(c).artifacts[0]!.key, tamper: (c) => rewrite(fileOf(c, first(c).artifacts[0]!.key), (b) => b.subarray(0, b.length - 9))},
  {name: 'deletion', code: 'artifact-missing', names: (c) => c.runs[1]!.artifacts[1]!.key, tamper: (c) => rm(fileOf(c, c.runs[1]!.artifacts[1]!.key))},
  {name: 'added file', code: 'object-extra', names: (c) => `${c.runs[1]!.prefix}lambda/us-east-1/planted.json`, tamper: (c) => writeFile(fileOf(c, `${c.runs[1]!.prefix}lambda/us-east-1/planted.json`), '{}')},
  {name: 'manifest edited', code: 'manifest-edited', names: (c) => last(c).manifestKey, tamper: (c) => rewrite(fileOf(c, last(c).manifestKey), (b) => b.toString('utf8').replace('"command": "test"', '"command": "benign"'))},
  {
    name: 'manifest edited and re-sealed (selfDigest recomputed)',
    code: 'journal-manifest-mismatch',
    names: (c) => last(c).artifacts[0]!.key,
    tamper: async (c) => void (await resealWithForgedArtifact(c, last(c), last(c).artifacts[0]!, JSON.stringify({Aliases: [{Name: 'forged'}]}))),
  },
  {name: 'journal field edited', code: 'journal-chain', names: (c) => c.runs[1]!.journalKey, tamper: (c) => rewrite(journalPath(c, 1), (b) => b.toString('utf8').replace('"command":"test"', '"command":"other"'))},
  {name: 'journal line removed', code: 'journal-chain', names: (c) => c.runs[1]!.journalKey, tamper: (c) => rewrite(journalPath(c, 1), editLines((l) => l.filter((_, i) => i !== 2)))},
  {name: 'journal CRLF', code: 'journal-crlf', names: (c) => first(c).journalKey, tamper: (c) => rewrite(journalPath(c, 0), (b) => b.toString('utf8').replaceAll('\n', '\r\n'))},
  {name: 'journal blank line', code: 'journal-blank-line', names: (c) => first(c).journalKey, tamper: (c) => rewrite(journalPath(c, 0), editLines((l) => [...l.slice(0, 2), '', ...l.slice(2)]))},
  {name: 'latest run deleted (with --expect)', code: 'head-mismatch', tamper: (c) => rm(fileOf(c, last(c).prefix), {recursive: true}), options: (_c, head) => ({expect: head})},
  {name: 'first run deleted', code: 'chain-missing-run', names: (c) => c.runs[1]!.runId, tamper: (c) => rm(fileOf(c, first(c).prefix), {recursive: true})},
  {name: 'run folder replaced by a symlink', code: 'symlink', names: (c) => first(c).prefix.replace(/\/$/, ''), tamper: (c) => replaceBySymlink(c, first(c).prefix)},
  {name: 'artifact replaced by a symlink to an identical copy', code: 'symlink', names: (c) => c.runs[1]!.artifacts[0]!.key, tamper: (c) => replaceBySymlink(c, c.runs[1]!.artifacts[0]!.key)},
  {
    name: 'a planted duplicate eventID in a file that sorts first',
    code: 'object-extra',
    names: (c) => `${first(c).prefix}cloudtrail/us-east-1/archive/0-planted.json.gz`,
    tamper: (c) => writeFile(fileOf(c, `${first(c).prefix}cloudtrail/us-east-1/archive/0-planted.json.gz`), gz(JSON.stringify({Records: [{...stopLogging(), eventName: 'DescribeTrails'}]}))),
  },
  {name: 'permission changed', code: 'mode-changed', names: (c) => c.runs[1]!.artifacts[0]!.key, tamper: (c) => chmod(fileOf(c, c.runs[1]!.artifacts[0]!.key), 0o644)},
  {
    name: 'the latest run forged throughout (journal chain recomputed), with --expect',
    code: 'head-mismatch',
    tamper: (c) => forgeRunThroughout(c, last(c), last(c).artifacts[0]!, '{"Aliases":[]} '),
    options: (_c, head) => ({expect: head}),
  },
  {
    name: 'a signature that does not match (the latest run forged throughout)',
    code: 'signature-invalid',
    sign: true,
    names: (c) => last(c).runId,
    tamper: (c) => forgeRunThroughout(c, last(c), last(c).artifacts[0]!, '{"Aliases":[]} '),
    options: (c) => ({publicKey: c.publicKey!}),
  },
  {
    name: 'a signature removed from a signed run',
    code: 'signature-missing',
    sign: true,
    names: (c) => c.runs[1]!.runId,
    tamper: (c) => rm(fileOf(c, `${c.runs[1]!.prefix}manifest.sig.json`), {force: true}),
    options: (c) => ({publicKey: c.publicKey!}),
  },
]

/** The independent checker (tools/verify-case.mjs): its exit code and the problem codes it printed. */
async function checker(c: TamperCase, options: VerifyOptions = {}): Promise<{exit: number; codes: string[]; stdout: string}> {
  const args = [CHECKER, c.root, c.caseId]
  if (options.expect !== undefined) args.push('--expect', options.expect)
  if (options.publicKey !== undefined) {
    const file = path.join(c.dir, 'public.pem')
    await writeFile(file, options.publicKey)
    args.push('--public-key', file)
  }
  const out = await run(process.execPath, args).then(
    (r) => ({exit: 0, stdout: r.stdout}),
    (e: {code: number; stdout: string}) => ({exit: e.code, stdout: e.stdout}),
  )
  return {...out, codes: out.stdout.split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t')[0]!)}
}

describe('the verification rules are one list: the docs, the verifier and the independent checker', () => {
  it('docs/evidence-format.md states a rule for every code verify names, and the checker names no other', async () => {
    const docs = await readFile(path.join(repoRoot, 'docs', 'evidence-format.md'), 'utf8')
    const section = docs.slice(docs.indexOf('## Verification'), docs.indexOf('## Artifact kinds'))
    const documented = new Set([...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]))
    expect([...documented].sort()).toEqual([...ISSUE_CODES].sort())
    const checker = await readFile(CHECKER, 'utf8')
    expect(checker).not.toMatch(/from '\.\.?\//)
    const named = new Set([...checker.matchAll(/(?:problem|note|bad)\('([a-z-]+)'/g)].map((m) => m[1]))
    for (const code of named) expect(ISSUE_CODES as readonly string[], code).toContain(code)
    expect(named.size).toBeGreaterThan(20)
  })
})

describe('the tamper matrix on the local store: verify names it, load refuses it, the independent checker agrees', () => {
  it('passes an untouched case, signed or not, in all three', async () => {
    for (const sign of [false, true]) {
      const c = await tamperCase(await tempDir(), {sign})
      const options: VerifyOptions = {expect: c.head, ...(c.publicKey ? {publicKey: c.publicKey} : {})}
      const v = await verifyCase(c.store, c.caseId, options)
      expect(v.issues).toEqual([])
      expect(v.ok).toBe(true)
      expect(v.head?.text).toBe(c.head)
      const dbPath = path.join(c.dir, 'case.duckdb')
      const loaded = await loadCase(c.store, c.caseId, {dbPath, ...options})
      expect(loaded.verification.ok).toBe(true)
      const check = await checker(c, options)
      expect(check.stdout).toMatch(/^OK/m)
      expect(check.exit).toBe(0)
    }
  })

  for (const t of MATRIX) {
    it(t.name, async () => {
      const c = await tamperCase(await tempDir(), {sign: t.sign ?? false})
      const options = t.options?.(c, c.head) ?? {}
      await t.tamper(c)

      const v = await verifyCase(c.store, c.caseId, options)
      expect(v.ok).toBe(false)
      const named = v.issues.filter((i) => i.code === t.code)
      expect(named, JSON.stringify(v.issues, null, 1)).not.toEqual([])
      if (t.names) expect(named.some((i) => i.key === t.names!(c) || i.runId === t.names!(c)), JSON.stringify(named)).toBe(true)

      const dbPath = path.join(c.dir, 'case.duckdb')
      await expect(loadCase(c.store, c.caseId, {dbPath, ...options})).rejects.toMatchObject({code: 'evidence-unverified', message: expect.stringContaining(t.code)})
      expect(existsSync(dbPath)).toBe(false)

      const check = await checker(c, options)
      expect(check.exit).toBe(3)
      expect(check.codes, check.stdout).toContain(t.code)
    })
  }

  it('names one unreadable artifact and checks the rest, in verify and in the independent checker', async () => {
    const c = await tamperCase(await tempDir())
    const key = first(c).artifacts[1]!.key
    await chmod(fileOf(c, key), 0o000)
    // Root reads a file whatever its mode: as root, both run as an unprivileged user instead.
    const asUser = process.getuid?.() === 0 ? {uid: 65534, gid: 65534, env: {...process.env, HOME: c.dir}} : {}
    if (asUser.uid !== undefined) await chmod(c.dir, 0o755)
    const out = await run(process.execPath, [path.join(repoRoot, 'bin', 'run.js'), 'evidence', 'verify', '--case', c.caseId, '--store', c.root, '--json'], asUser).then(
      (r) => ({exit: 0, stdout: r.stdout}),
      (e: {code: number; stdout: string}) => ({exit: e.code, stdout: e.stdout}),
    )
    expect(out.exit).toBe(3)
    const result = (JSON.parse(out.stdout) as {result: {cases: Array<{issues: Array<{code: string; key: string | null}>}>; artifacts: Array<{key: string; status: string}>}}).result
    const v = result.cases[0]!
    expect(v.issues.map((i) => [i.code, i.key])).toEqual([['artifact-unreadable', key]])
    expect(result.artifacts.filter((a) => a.status === 'ok')).toHaveLength(result.artifacts.length - 1)
    const check = await run(process.execPath, [CHECKER, c.root, c.caseId], asUser).then(() => ({exit: 0, stdout: ''}), (e: {code: number; stdout: string}) => ({exit: e.code, stdout: e.stdout}))
    expect(check.exit).toBe(3)
    expect(check.stdout).toMatch(/^artifact-unreadable\t/m)
    await chmod(fileOf(c, key), 0o444)
  })

  it('with --accept-damaged loads the case, marks every row of the damaged evidence and records the damage', async () => {
    const c = await tamperCase(await tempDir())
    const damaged = first(c).artifacts[1]!
    await rewrite(fileOf(c, damaged.key), () => JSON.stringify({Aliases: [{Name: 'x', AliasArn: 'arn:aws:lambda:us-east-1:1:function:f:x'}]}))
    const dbPath = path.join(c.dir, 'case.duckdb')
    const loaded = await loadCase(c.store, c.caseId, {dbPath, acceptDamaged: true})
    expect(loaded.verification.ok).toBe(false)
    expect(loaded.damage).toEqual([expect.objectContaining({code: 'artifact-altered', key: damaged.key})])
    const {AnalysisDb} = await import('../../../src/analysis/db.js')
    const db = await AnalysisDb.open(dbPath, {readOnly: true})
    try {
      const aliases = (await db.all('SELECT artifact_key, evidence_damage FROM lambda_aliases')).rows
      expect(aliases).toEqual([{artifact_key: damaged.key, evidence_damage: expect.stringContaining('artifact-altered')}])
      const record = (await db.all('SELECT verified, accepted_damage, problems FROM case_load')).rows
      expect(record).toEqual([{verified: false, accepted_damage: true, problems: expect.stringContaining(damaged.key)}])
      const clean = (await db.all('SELECT count(*)::INTEGER AS n FROM cloudtrail_records WHERE evidence_damage IS NULL')).rows
      expect(clean[0]!.n).toBeGreaterThan(0)
    } finally {
      db.close()
    }
  })

  it('names a journal it cannot read (replaced by a folder) and checks the rest', async () => {
    const c = await tamperCase(await tempDir())
    await rm(journalPath(c, 1))
    await mkdir(journalPath(c, 1))
    const v = await verifyCase(c.store, c.caseId)
    expect(v.issues.filter((i) => i.code === 'journal-missing').map((i) => i.key)).toEqual([c.runs[1]!.journalKey])
    expect(v.artifacts.filter((a) => a.status === 'ok')).toHaveLength(6)
    const check = await checker(c)
    expect(check.codes, check.stdout).toContain('journal-missing')
    expect(check.exit).toBe(3)
  })

  it('lets a new run begin when the latest manifest is a link, which verify then names', async () => {
    const c = await tamperCase(await tempDir())
    await replaceBySymlink(c, last(c).manifestKey)
    const run = await EvidenceRun.begin({store: c.store, caseId: c.caseId, command: 'test', parameters: {}, clock: fixedClock('2026-11-29T10:00:00Z')})
    const sealed = await run.finish()
    expect(sealed.manifest.previousManifest?.runId).toBe(c.runs[1]!.runId)
    const v = await verifyCase(c.store, c.caseId)
    // The linked manifest is never read: its run counts as unsealed, and the chain goes past it.
    expect(v.issues.map((i) => [i.code, i.key])).toEqual([['symlink', last(c).manifestKey]])
    const check = await checker(c)
    expect(check.codes, check.stdout).toEqual(['symlink'])
    expect(check.exit).toBe(3)
  })

  it('takes a killed run that a later run resumed from its journal as it stands; names it once its journal grew since', async () => {
    const c = await tamperCase(await tempDir())
    const killed = await EvidenceRun.begin({store: c.store, caseId: c.caseId, command: 'test', parameters: {}, clock: fixedClock('2026-11-29T10:00:00Z', 1000)})
    await killed.putArtifact(['added', 'local', 'half.txt'], 'half', {kind: 'file.added', contentType: 'text/plain', source: 'test', collector: 'test'})
    const journal = fileOf(c, `${killed.prefix}custody.jsonl`)
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((l) => l !== '')
    const resumeOf = {runId: killed.runId, journalLastHash: sha(lines.at(-1)!)}
    await (await EvidenceRun.begin({store: c.store, caseId: c.caseId, command: 'test', parameters: {resumeOf}, clock: fixedClock('2026-11-29T11:00:00Z', 1000)})).finish()
    const v = await verifyCase(c.store, c.caseId)
    expect(v.issues).toEqual([])
    expect(v.warnings.join('\n')).toContain(`run ${killed.runId} never sealed; run`)
    await loadCase(c.store, c.caseId, {dbPath: path.join(c.dir, 'case.duckdb')})
    expect((await checker(c)).exit).toBe(0)

    // An entry appended after the resume, chain kept: the resume no longer vouches for that journal.
    await appendFile(journal, `${JSON.stringify({seq: lines.length + 1, at: '2026-11-29T12:00:00.000Z', type: 'note', message: 'added later', prevHash: resumeOf.journalLastHash})}\n`)
    const grown = await verifyCase(c.store, c.caseId)
    expect(grown.issues.map((i) => [i.code, i.runId])).toEqual([['run-unsealed', killed.runId]])
    expect(grown.issues[0]!.message).toContain('the journal changed since')
    await expect(loadCase(c.store, c.caseId, {dbPath: path.join(c.dir, 'again.duckdb')})).rejects.toMatchObject({code: 'evidence-unverified'})
    const check = await checker(c)
    expect(check.codes).toEqual(['run-unsealed'])
  })

  it('reads a journal byte for byte: a line without its newline at the end is named', async () => {
    const c = await tamperCase(await tempDir())
    const p = fileOf(c, first(c).journalKey)
    await rewrite(p, (b) => b.subarray(0, b.length - 1))
    const v = await verifyCase(c.store, c.caseId)
    expect(v.issues.filter((i) => i.code === 'journal-unterminated').map((i) => i.key)).toEqual([first(c).journalKey])
  })
})
