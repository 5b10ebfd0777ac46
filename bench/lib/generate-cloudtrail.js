// Generates CloudTrail archives at scale that look like a busy account's: records made from the
// real ones in the test fixtures and from the API calls of some fifty services (hundreds of event
// shapes, nested request and response structures of varied types), each re-stamped with its own
// event id, request id, time, source address and region, plus the injected attack of attacks.js.
// Deterministic: the same seed gives the same bytes. Used by the benchmarks and by tests.
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {gzip as gzipCallback} from 'node:zlib'
import {ATTACK, ATTACK_EVENT_NAMES, MARKERS} from './attacks.js'
import {ACCOUNT, principals} from './identities.js'
import {realRecords} from './real-records.js'
import {alnum, hex, int, ipv4, pick, rng, uuid, weightedIndex} from './rng.js'
import {serviceOperations} from './service-shapes.js'

const gzip = promisify(gzipCallback)
const START = Date.parse('2026-11-01T00:00:00Z')
/** A busy account: a million events a week. */
const MS_PER_EVENT = 604.8
const READ_LIKE = /^(Describe|List|Get|Head|Lookup|Search|Query|Scan|Batch(Get|Check)|Decrypt|Encrypt|Generate|AssumeRole)/
const SLOT = /"__(ID|TIME|REQ|IP|REGION)__"/
const IP_LIKE = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+:[0-9a-f:]*$/i
const INSTANCES_PER_OPERATION = 8
export const REGIONS = ['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1', 'ap-southeast-2']

const normalName = (name) => String(name ?? '').replace(/20\d{6}(v\d+)?$/, '').toLowerCase()

/** A record as text with slots for what each copy gets of its own: the JSON split around the slots. */
function template(record, {ownAddress = true} = {}) {
  const r = {...record, eventID: '__ID__', eventTime: '__TIME__', awsRegion: '__REGION__'}
  if (record.requestID !== undefined || record.eventType === 'AwsApiCall') r.requestID = '__REQ__'
  if (ownAddress && (record.sourceIPAddress === undefined || IP_LIKE.test(String(record.sourceIPAddress)))) r.sourceIPAddress = '__IP__'
  return JSON.stringify(r).split(SLOT)
}

function background(seed) {
  const real = realRecords().filter(({record}) => {
    const text = JSON.stringify(record).toLowerCase()
    return !ATTACK_EVENT_NAMES.has(normalName(record.eventName)) && record.userIdentity?.type !== 'Root' && !MARKERS.some((m) => text.includes(m))
  })
  // Detonation logs repeat some calls many times: each name counts about as much as its variety, not its repeats.
  const sameName = new Map()
  for (const {record} of real) sameName.set(normalName(record.eventName), (sameName.get(normalName(record.eventName)) ?? 0) + 1)
  const realWeights = real.map(({record, alerting}) => ((alerting ? 0.2 : 1) * (record.readOnly === true || READ_LIKE.test(String(record.eventName)) ? 8 : 1)) / Math.sqrt(sameName.get(normalName(record.eventName))))
  const g = rng(seed ^ 0x5eed)
  const who = principals(seed)
  const pickWho = weightedIndex(who.map((p) => p.weight))
  const ops = serviceOperations(ATTACK_EVENT_NAMES)
  // A Zipf-like mix: a few calls dominate, a long tail of others.
  const rank = ops.map((_, i) => i).sort(() => g() - 0.5)
  const synth = []
  const synthWeights = []
  ops.forEach((op, i) => {
    for (let k = 0; k < INSTANCES_PER_OPERATION; k++) {
      const p = who[pickWho(g())]
      const record = {
        eventVersion: pick(g, ['1.08', '1.09', '1.10']),
        userIdentity: p.identity,
        eventSource: op.source,
        eventName: op.name,
        sourceIPAddress: p.service ?? '0.0.0.0',
        userAgent: pick(g, p.agents),
        ...op.make(g),
        readOnly: op.readOnly,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: ACCOUNT,
        eventCategory: 'Management',
      }
      if (g() < 0.04) Object.assign(record, {errorCode: pick(g, ['AccessDenied', 'ThrottlingException', 'ValidationException', 'ResourceNotFoundException', 'Client.UnauthorizedOperation']), errorMessage: `User: ${p.identity.arn ?? 'unknown'} is not authorized to perform this operation`, responseElements: null})
      if (g() < 0.3) record.tlsDetails = {tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${op.source.split('.')[0]}.us-east-1.amazonaws.com`}
      if (g() < 0.1) record.sessionCredentialFromConsole = 'true'
      synth.push(record)
      synthWeights.push(((op.readOnly ? 8 : 1) / (rank[i] + 5)) / INSTANCES_PER_OPERATION)
    }
  })
  const realTotal = realWeights.reduce((a, b) => a + b, 0)
  const synthTotal = synthWeights.reduce((a, b) => a + b, 0)
  const templates = [...real.map(({record}) => template(record)), ...synth.map(template)]
  const weights = [...realWeights.map((w) => (0.45 * w) / realTotal), ...synthWeights.map((w) => (0.55 * w) / synthTotal)]
  return {templates, choose: weightedIndex(weights), realTemplates: real.length, synthTemplates: synth.length}
}

/**
 * A stream of generated records for one archive: `next(region)` returns record after record as
 * JSON text. The attack's events are placed evenly through the archive; `attack` lists them with
 * the event id each got and what must (and must not) detect it.
 */
export class CloudTrailGenerator {
  constructor({events, seed = 42, start = START, attack = true}) {
    this.events = events
    this.start = start
    this.rand = rng(seed)
    this.index = 0
    const bg = background(seed)
    this.templates = bg.templates
    this.choose = bg.choose
    this.stats = {realTemplates: bg.realTemplates, synthTemplates: bg.synthTemplates}
    this.attackAt = new Map()
    this.attack = []
    if (attack && events >= ATTACK.length) {
      ATTACK.forEach((a, k) => {
        const at = Math.floor(((k + 0.5) * events) / ATTACK.length)
        const eventId = `${hex(this.rand, 8)}-0000-4000-a000-${String(k).padStart(12, "0")}`
        this.attackAt.set(at, {parts: template(a.record, {ownAddress: false}), eventId})
        this.attack.push({name: a.name, eventId, detectedBy: a.detectedBy, silent: a.silent ?? []})
      })
    }
  }

  /** The time of event `i`: a steady rate, a few seconds of jitter, never before the start. */
  timeOf(i) {
    const t = Math.max(this.start, this.start + Math.floor(i * MS_PER_EVENT) + int(this.rand, 20_000) - 10_000)
    return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  next(region) {
    const i = this.index++
    const injected = this.attackAt.get(i)
    const parts = injected ? injected.parts : this.templates[this.choose(this.rand())]
    const r = this.rand
    const values = {ID: injected ? injected.eventId : uuid(r), TIME: this.timeOf(i), REQ: r() < 0.5 ? uuid(r) : alnum(r, 16), IP: r() < 0.03 ? `2001:db8:${int(r, 65536).toString(16)}::${int(r, 65536).toString(16)}` : ipv4(r), REGION: region}
    let out = parts[0]
    for (let k = 1; k < parts.length; k += 2) out += `"${values[parts[k]]}"${parts[k + 1]}`
    return out
  }
}

/** `events` generated records as objects (for tests: a varied corpus with the attack in it). */
export function generateRecords({events, seed = 42}) {
  const g = new CloudTrailGenerator({events, seed})
  const records = Array.from({length: events}, (_, i) => JSON.parse(g.next(REGIONS[i % REGIONS.length])))
  return {records, attack: g.attack}
}

/**
 * Writes a trail archive (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`) of
 * `events` records in delivery files of `perFile` records under `dir`. Returns the files, the
 * gzip and JSON bytes, the window and the attack's events.
 */
export async function writeArchive({dir, events, perFile = 1000, seed = 42}) {
  const g = new CloudTrailGenerator({events, seed})
  const fileRand = rng(seed ^ 0xf11e)
  const files = []
  let gzipBytes = 0
  let jsonBytes = 0
  const inFlight = new Set()
  for (let n = 0; n * perFile < events; n++) {
    const region = pick(fileRand, REGIONS)
    const count = Math.min(perFile, events - n * perFile)
    const parts = []
    for (let i = 0; i < count; i++) parts.push(g.next(region))
    const text = `{"Records":[${parts.join(',')}]}`
    jsonBytes += text.length
    const delivered = new Date(g.start + Math.floor(g.index * MS_PER_EVENT) + 5 * 60_000).toISOString()
    const day = delivered.slice(0, 10).replaceAll('-', '/')
    const stamp = `${delivered.slice(0, 10).replaceAll('-', '')}T${delivered.slice(11, 16).replace(':', '')}Z`
    const folder = path.join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', region, day)
    const file = path.join(folder, `${ACCOUNT}_CloudTrail_${region}_${stamp}_${alnum(fileRand, 16)}.json.gz`)
    files.push(file)
    const p = (async () => {
      const body = await gzip(text)
      gzipBytes += body.length
      await mkdir(folder, {recursive: true})
      await writeFile(file, body)
    })().finally(() => inFlight.delete(p))
    inFlight.add(p)
    if (inFlight.size >= 4) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  const since = new Date(g.start - 3_600_000).toISOString()
  const until = new Date(g.start + Math.ceil(events * MS_PER_EVENT) + 3_600_000).toISOString()
  return {dir, files, events, gzipBytes, jsonBytes, since, until, attack: g.attack, templates: g.templates.length, ...g.stats}
}
