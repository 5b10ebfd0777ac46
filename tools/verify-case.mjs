#!/usr/bin/env node
// An independent checker of a coroner case in a local evidence store, written from the rules in
// docs/evidence-format.md ("Verification") alone: plain Node, no dependency, nothing of coroner's
// own code. Anyone can read it in one sitting and check a case with it years later.
//
//   node tools/verify-case.mjs STORE_DIR CASE_ID [--expect HEAD] [--public-key FILE]
//
// Prints one line per problem, `code<TAB>where<TAB>message`, then OK or FAILED.
// Exit 0: the case verifies; 3: it does not; 2: the command line is wrong.

import {createHash, createPublicKey, verify as verifySignature, constants} from 'node:crypto'
import {lstatSync, readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'

const SELF_DIGEST_FIELD = 'selfDigest'
const MANIFEST = 'manifest.json'
const JOURNAL = 'custody.jsonl'
const SIGNATURE = 'manifest.sig.json'

const sha256 = (data) => createHash('sha256').update(data).digest('hex')

/** RFC 8785 (JCS) for the values coroner writes: object keys sorted by UTF-16 code units, no white space. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}
const same = (a, b) => canonical(a ?? null) === canonical(b ?? null)

function usage(message) {
  process.stderr.write(`${message}\nusage: node tools/verify-case.mjs STORE_DIR CASE_ID [--expect HEAD] [--public-key FILE]\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
const positional = []
const options = {}
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--expect' || args[i] === '--public-key') options[args[i].slice(2)] = args[++i] ?? usage(`${args[i]} needs a value`)
  else positional.push(args[i])
}
if (positional.length !== 2) usage('give the store directory and the case id')
const [storeDir, caseId] = positional
if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(caseId) || caseId.includes('..')) usage(`not a case id: ${caseId}`)

const problems = []
const warnings = []
const problem = (code, where, message) => problems.push({code, where, message})
const root = path.resolve(storeDir)
const fileOf = (key) => path.join(root, ...key.split('/'))

// --- the listing: every file under the case, links never followed ---------------------------------

/** @type {Map<string, {type: 'file'|'symlink'|'special', mode: number, size: number}>} */
const files = new Map()
function walk(key) {
  let s
  try {
    s = lstatSync(fileOf(key))
  } catch {
    return
  }
  if (s.isSymbolicLink()) files.set(key, {type: 'symlink', mode: 0, size: s.size})
  else if (s.isDirectory()) for (const name of readdirSync(fileOf(key)).sort()) walk(`${key}/${name}`)
  else files.set(key, {type: s.isFile() ? 'file' : 'special', mode: s.mode & 0o777, size: s.size})
}
const casePrefix = `cases/${caseId}`
let blocked = false
for (const key of ['cases', casePrefix]) {
  try {
    if (lstatSync(fileOf(key)).isSymbolicLink()) {
      problem('symlink', key, `${key} is a symbolic link: a local store holds no links`)
      blocked = true
    }
  } catch {
    blocked = true
  }
}
if (!blocked) walk(casePrefix)

const runs = new Map()
for (const [key, info] of files) {
  const m = /^cases\/[^/]+\/runs\/([^/]+)\/(.+)$/.exec(key)
  if (!m) {
    if (info.type === 'symlink') problem('symlink', key, `${key} is a symbolic link: a local store holds no links (a run folder replaced by a link counts as no run)`)
    else problem('object-stray', key, `unexpected object ${key} outside any run`)
    continue
  }
  if (!runs.has(m[1])) runs.set(m[1], new Map())
  runs.get(m[1]).set(key, info)
}
if (runs.size === 0 && problems.length === 0) usage(`no case ${caseId} in ${root}`)

const readable = (key, info, what) => {
  if (info.type === 'symlink') problem('symlink', key, `${what} ${key} is a symbolic link`)
  else if (info.type === 'special') problem('special-file', key, `${what} ${key} is not a regular file`)
  return info.type === 'file'
}
const checkMode = (key, info) => {
  if (info && info.type === 'file' && (info.mode & 0o222) !== 0) problem('mode-changed', key, `${key} is writable (mode ${info.mode.toString(8)}); evidence files are written read-only`)
}

// --- the journal: byte for byte, and the hash chain ------------------------------------------------

function readJournal(runId, key) {
  const out = {entries: 0, lastHash: '', artifacts: [], started: undefined, ended: undefined, gaps: 0, warnings: []}
  const info = runs.get(runId).get(key)
  if (info && !readable(key, info, 'journal')) return out
  let bytes = Buffer.alloc(0)
  if (info) bytes = readFileSync(fileOf(key))
  const text = bytes.toString('utf8')
  const counts = new Map()
  const note = (code, seq) => (counts.has(code) ? counts.get(code).n++ : counts.set(code, {n: 1, seq}))
  const pieces = text.split('\n')
  const unterminated = pieces.at(-1) !== ''
  if (!unterminated) pieces.pop()
  let seq = 0
  for (const [i, line] of pieces.entries()) {
    if (i === pieces.length - 1 && unterminated) note('journal-unterminated', seq + 1)
    if (line === '') {
      note('journal-blank-line', seq)
      continue
    }
    seq++
    if (line.endsWith('\r')) note('journal-crlf', seq)
    let entry
    try {
      entry = JSON.parse(line)
    } catch {}
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) note('journal-not-json', seq)
    else {
      if (entry.seq !== seq || entry.prevHash !== out.lastHash) note('journal-chain', seq)
      if (entry.type === 'artifact' && entry.artifact) out.artifacts.push(entry.artifact)
      if (entry.type === 'run-started' && out.started === undefined) out.started = entry
      if (entry.type === 'run-ended') out.ended = entry
      if (entry.type === 'gap') out.gaps++
      if (entry.type === 'warning' && typeof entry.message === 'string') out.warnings.push(entry.message)
    }
    out.lastHash = sha256(line)
    out.entries = seq
  }
  for (const [code, {n, seq: at}] of counts) problem(code, key, `${n} line(s), first at entry ${at}`)
  if (out.entries === 0) problem('journal-missing', key, `journal ${key} is missing or empty`)
  return out
}

// --- the manifest, against itself and against the journal -----------------------------------------

function readManifest(runId, key) {
  const info = runs.get(runId).get(key)
  if (!info) return undefined // named across runs: a later run may have resumed it
  if (!readable(key, info, 'manifest')) return undefined
  checkMode(key, info)
  const bytes = readFileSync(fileOf(key))
  let manifest
  try {
    manifest = JSON.parse(bytes.toString('utf8'))
  } catch {}
  if (manifest === null || typeof manifest !== 'object' || !Array.isArray(manifest.artifacts)) {
    problem('manifest-invalid', key, 'not a manifest')
    return undefined
  }
  if (manifest.schema !== 'coroner.manifest/v1') problem('manifest-invalid', key, `schema ${manifest.schema}`)
  const {[SELF_DIGEST_FIELD]: claimed, ...body} = manifest
  if (sha256(canonical(body)) !== claimed) problem('manifest-edited', key, 'its content does not hash to its selfDigest')
  if (manifest.runId !== runId || manifest.caseId !== caseId) problem('manifest-misnamed', key, `names run ${manifest.runId} of case ${manifest.caseId}`)
  return {manifest, sha: sha256(bytes)}
}

function compare(runId, manifest, journal, journalKey) {
  const bad = (where, message) => problem('journal-manifest-mismatch', where, message)
  if (manifest.journal?.key !== journalKey) bad(runId, `manifest names journal ${manifest.journal?.key}`)
  if (manifest.journal?.lastHash !== journal.lastHash || manifest.journal?.entries !== journal.entries) bad(journalKey, 'the journal does not end where the manifest says')
  const journalled = new Map(journal.artifacts.map((a) => [String(a.key), a]))
  const listed = new Set()
  for (const a of manifest.artifacts) {
    const key = String(a.key)
    if (listed.has(key)) bad(key, 'listed twice by the manifest')
    listed.add(key)
    if (!journalled.has(key)) bad(key, 'listed by the manifest, never recorded by the journal')
    else if (!same(a, journalled.get(key))) bad(key, 'recorded differently by the manifest and the journal')
  }
  for (const key of journalled.keys()) if (!listed.has(key)) bad(key, 'recorded by the journal, not listed by the manifest')
  const s = journal.started
  if (!s) bad(runId, 'the journal has no run-started entry')
  else for (const f of ['caseId', 'runId', 'command', 'parameters', 'caller', 'previousManifest', 'runsBefore', 'signing']) if (!same(manifest[f], s[f])) bad(runId, `${f} differs from the journal's run-started entry`)
  const e = journal.ended
  if (!e) bad(runId, 'the journal has no run-ended entry')
  else {
    if (e.status !== manifest.status) bad(runId, 'status differs from the journal')
    if (e.artifacts !== manifest.artifacts.length) bad(runId, 'artifact count differs from the journal')
    if (e.gaps !== manifest.gaps || journal.gaps !== manifest.gaps) bad(runId, 'gap count differs from the journal')
    if (!same(journal.warnings, manifest.warnings ?? [])) bad(runId, 'warnings differ from the journal')
  }
}

// --- signatures: the 32 bytes of the manifest's SHA-256, checked with the public key alone -----------

const givenKey = options['public-key'] === undefined ? undefined : loadKey(readFileSync(options['public-key']))
function loadKey(bytes) {
  return bytes.includes('-----BEGIN') ? createPublicKey(bytes) : createPublicKey({key: bytes, format: 'der', type: 'spki'})
}
const fingerprint = (key) => sha256(key.export({type: 'spki', format: 'der'}))

function holds(algorithm, key, message, signature) {
  try {
    if (algorithm === 'ED25519') return verifySignature(null, message, key, signature)
    const m = /^(ECDSA|RSASSA_PSS|RSASSA_PKCS1_V1_5)_SHA_(256|384|512)$/.exec(algorithm)
    if (!m) return false
    const hash = `sha${m[2]}`
    if (m[1] === 'ECDSA') return verifySignature(hash, message, key, signature)
    const padding = m[1] === 'RSASSA_PSS' ? {padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO} : {padding: constants.RSA_PKCS1_PADDING}
    return verifySignature(hash, message, {key, ...padding}, signature)
  } catch {
    return false
  }
}

function checkSignature(runId, prefix, sealed) {
  const key = `${prefix}${SIGNATURE}`
  const info = runs.get(runId).get(key)
  const declared = sealed.manifest.signing
  if (!info) {
    if (declared) problem('signature-missing', runId, `the manifest names signing key ${declared.keyId}; no ${SIGNATURE}`)
    return false
  }
  if (!readable(key, info, 'signature')) return false
  const invalid = (why) => (problem('signature-invalid', runId, why), false)
  let sig
  try {
    sig = JSON.parse(readFileSync(fileOf(key), 'utf8'))
  } catch {
    return invalid('not JSON')
  }
  if (sig?.schema !== 'coroner.manifest-signature/v1' || typeof sig.signature !== 'string') return invalid('not a signature record')
  if (sig.manifestSha256 !== sealed.sha) return invalid('it covers another manifest')
  if (sig.runId !== runId || sig.manifestKey !== `${prefix}${MANIFEST}`) return invalid('it names another run')
  if (declared && (declared.publicKeySha256 !== sig.publicKeySha256 || declared.algorithm !== sig.algorithm)) return invalid('made with another key than the manifest names')
  let key_ = givenKey
  if (key_ === undefined) {
    try {
      key_ = loadKey(Buffer.from(String(sig.publicKey)))
    } catch {
      return invalid('its stored public key is not a key')
    }
    if (fingerprint(key_) !== sig.publicKeySha256) return invalid('its stored public key does not match its fingerprint')
    warnings.push('signatures checked against the public keys stored with them (give --public-key)')
  } else if (fingerprint(key_) !== sig.publicKeySha256) {
    problem('signature-wrong-key', runId, `signed by ${sig.publicKeySha256}, not the key given`)
    return false
  }
  if (!holds(sig.algorithm, key_, Buffer.from(sealed.sha, 'hex'), Buffer.from(sig.signature, 'base64'))) return invalid('the signature does not verify')
  return true
}

// --- each run ------------------------------------------------------------------------------------

const examined = []
for (const runId of [...runs.keys()].sort()) {
  const objects = runs.get(runId)
  const prefix = `cases/${caseId}/runs/${runId}/`
  const journalKey = `${prefix}${JOURNAL}`
  const journal = readJournal(runId, journalKey)
  const sealed = readManifest(runId, `${prefix}${MANIFEST}`)
  let signed = false
  if (sealed) {
    if (journal.entries > 0) compare(runId, sealed.manifest, journal, journalKey)
    checkMode(journalKey, objects.get(journalKey))
    signed = checkSignature(runId, prefix, sealed)
  }
  const records = sealed ? sealed.manifest.artifacts : journal.artifacts
  const known = new Set([`${prefix}${MANIFEST}`, journalKey, `${prefix}${SIGNATURE}`])
  for (const a of records) {
    const key = String(a.key)
    known.add(key)
    if (!key.startsWith(prefix)) {
      problem('artifact-outside-run', key, `recorded by run ${runId}, outside its prefix`)
      continue
    }
    const info = objects.get(key)
    if (!info) {
      problem('artifact-missing', key, 'not in the store')
      continue
    }
    if (!readable(key, info, 'artifact')) continue
    let bytes
    try {
      bytes = readFileSync(fileOf(key))
    } catch (error) {
      problem('artifact-unreadable', key, error.message)
      continue
    }
    if (sha256(bytes) !== a.sha256 || bytes.length !== a.size) problem('artifact-altered', key, `SHA-256 ${sha256(bytes)} (${bytes.length} bytes), recorded ${a.sha256} (${a.size} bytes)`)
    else checkMode(key, info)
  }
  for (const key of objects.keys()) if (!known.has(key)) problem('object-extra', key, 'not listed in the manifest or journal')
  const resumeOf = (sealed ? sealed.manifest.parameters : journal.started?.parameters)?.resumeOf
  examined.push({runId, sealed, signed, noManifest: !objects.has(`${prefix}${MANIFEST}`), lastHash: journal.lastHash, resumeOf})
}

// --- runs that never sealed, the chain of runs, no run missing, the signatures across runs, the head -

// A run without a manifest is a problem unless a later run resumed it from its journal as it stands.
for (const r of examined.filter((x) => x.noManifest)) {
  const resumed = examined.some((x) => x.runId > r.runId && x.resumeOf?.runId === r.runId && x.resumeOf?.journalLastHash === r.lastHash)
  if (resumed) warnings.push(`run ${r.runId} never sealed; a later run resumed it from its last journal line`)
  else problem('run-unsealed', r.runId, `run ${r.runId} has no manifest`)
}

const present = [...runs.keys()].sort()
const sealedRuns = examined.filter((r) => r.sealed)
for (const [i, r] of sealedRuns.entries()) {
  const prev = r.sealed.manifest.previousManifest
  const before = sealedRuns[i - 1]
  if (prev === null || prev === undefined) {
    if (before) problem('chain-broken', r.runId, `links to no run, but ${before.runId} precedes it`)
  } else {
    const target = sealedRuns.find((s) => s.runId === prev.runId)
    if (!target) problem('chain-missing-run', r.runId, `links to run ${prev.runId}, which is missing`)
    else if (target.sealed.sha !== prev.sha256) problem('chain-broken', r.runId, `the manifest of ${prev.runId} changed after this run recorded its hash`)
    else if (before && before.runId !== prev.runId) problem('chain-fork', r.runId, `links to ${prev.runId}, not to ${before.runId}`)
  }
  const counted = r.sealed.manifest.runsBefore
  const held = present.filter((id) => id < r.runId).length
  if (typeof counted === 'number' && held < counted) problem('chain-missing-run', r.runId, `began after ${counted} run(s); ${held} are in the store`)
}

const firstSigned = sealedRuns.findIndex((r) => r.signed || r.sealed.manifest.signing)
if (givenKey !== undefined && !sealedRuns.some((r) => r.signed)) problem('signature-missing', caseId, 'no run is signed by the key given')
else if (givenKey !== undefined && firstSigned >= 0) {
  for (const r of sealedRuns.slice(firstSigned)) if (!r.signed && !r.sealed.manifest.signing) problem('signature-missing', r.runId, 'not signed, although an earlier run was')
}

const runsUpTo = (r) => (typeof r.sealed.manifest.runsBefore === 'number' ? r.sealed.manifest.runsBefore + 1 : present.filter((id) => id <= r.runId).length)
const latest = sealedRuns.at(-1)
const head = latest ? `${runsUpTo(latest)}:${latest.sealed.sha.slice(0, 32)}` : 'none'
if (options.expect !== undefined) {
  const m = /^(?:(\d+):([0-9a-f]{32,64})|([0-9a-f]{64}))$/.exec(options.expect.trim().toLowerCase())
  if (!m) usage(`not a case head: ${options.expect}`)
  const prefix = m[2] ?? m[3]
  const at = sealedRuns.find((r) => r.sealed.sha.startsWith(prefix))
  if (!at) problem('head-mismatch', caseId, `no run has the manifest the expected head names (the head is now ${head})`)
  else if (m[1] !== undefined && Number(m[1]) !== runsUpTo(at)) problem('head-mismatch', at.runId, `the expected head names ${m[1]} run(s), the case holds ${runsUpTo(at)} up to that run`)
}

for (const p of problems) process.stdout.write(`${p.code}\t${JSON.stringify(p.where).slice(1, -1)}\t${JSON.stringify(p.message).slice(1, -1)}\n`)
for (const w of new Set(warnings)) process.stderr.write(`warning: ${w}\n`)
if (problems.length === 0) process.stdout.write(`OK: case ${caseId}, ${runs.size} run(s), head ${head}\n`)
else process.stdout.write(`FAILED: case ${caseId}, ${problems.length} problem(s), head ${head}\n`)
process.exit(problems.length === 0 ? 0 : 3)
