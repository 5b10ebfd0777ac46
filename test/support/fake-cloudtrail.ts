import {createHash, randomBytes} from 'node:crypto'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** A LookupEvents `Event` as it travels on the wire (JSON 1.1: EventTime in epoch seconds). */
export interface WireEvent {
  EventId: string
  EventName: string
  ReadOnly: string
  AccessKeyId?: string
  EventTime: number
  EventSource: string
  Username?: string
  Resources: Array<{ResourceType?: string; ResourceName?: string}>
  CloudTrailEvent: string
}

export interface ServedRequest {
  at: number
  region: string
  target: string
  attributes: number
  hadToken: boolean
  status: number
  /** The error `__type` answered, if any. */
  error?: string
}

export interface FakeCloudTrailOptions {
  /** Events per region, in any order; served newest first. */
  events: Record<string, WireEvent[]>
  /** Requests allowed per region in any 1000 ms window (sliding); more are answered ThrottlingException. */
  maxPerSecond?: number
  /** Answer every LookupEvents call with ThrottlingException. */
  throttleAlways?: boolean
  /** Called after each LookupEvents request is answered. */
  onRequest?: (r: ServedRequest) => void
  /** Called when the n-th LookupEvents request (from 1) arrives, before it is answered. */
  onArrival?: (n: number) => void
  /** ListPublicKeys answers: DER PKCS#1 keys with their fingerprints. */
  publicKeys?: Array<{der: Buffer; fingerprint: string; validFrom: Date; validTo: Date}>
}

export interface FakeCloudTrail {
  endpoint: string
  requests: ServedRequest[]
  /** Regions ListPublicKeys was asked in. */
  listPublicKeysCalls: string[]
  readonly throttled: number
  close(): Promise<void>
}

// The SDK sends the short form; AWS documents the fully qualified one. Both are accepted.
const LOOKUP_TARGETS = new Set(['CloudTrail_20131101.LookupEvents', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents'])

/**
 * A CloudTrail endpoint speaking the JSON 1.1 wire protocol, for LookupEvents only: pages of up to
 * MaxResults (≤ 50) events newest first, opaque NextTokens bound to the request parameters and to
 * this server (a token from another server is refused as AWS refuses stale ones), StartTime,
 * EndTime and one LookupAttribute honoured, and HTTP 400 ThrottlingException when a region is
 * called faster than `maxPerSecond`.
 */
export async function startFakeCloudTrail(options: FakeCloudTrailOptions): Promise<FakeCloudTrail> {
  const secret = randomBytes(8).toString('hex')
  const maxPerSecond = options.maxPerSecond ?? 2
  const accepted = new Map<string, number[]>()
  const requests: ServedRequest[] = []
  let arrivals = 0
  const listPublicKeysCalls: string[] = []
  const sorted: Record<string, WireEvent[]> = {}
  for (const [region, events] of Object.entries(options.events)) sorted[region] = [...events].sort((a, b) => b.EventTime - a.EventTime || (a.EventId < b.EventId ? -1 : 1))

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomBytes(16).toString('hex')})
    res.end(JSON.stringify(body))
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const target = String(req.headers['x-amz-target'] ?? '')
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/cloudtrail\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown'
    if (req.method === 'POST' && target.endsWith('CloudTrail_20131101.ListPublicKeys')) {
      listPublicKeysCalls.push(region)
      return reply(res, 200, {
        PublicKeyList: (options.publicKeys ?? []).map((k) => ({
          Value: k.der.toString('base64'),
          ValidityStartTime: k.validFrom.getTime() / 1000,
          ValidityEndTime: k.validTo.getTime() / 1000,
          Fingerprint: k.fingerprint,
        })),
      })
    }
    if (req.method !== 'POST' || !LOOKUP_TARGETS.has(target) || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return reply(res, 400, {__type: 'UnknownOperationException', message: `not served here: ${target || req.url}`})
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      StartTime?: number
      EndTime?: number
      MaxResults?: number
      NextToken?: string
      LookupAttributes?: Array<{AttributeKey: string; AttributeValue: string}>
    }
    options.onArrival?.(++arrivals)
    const now = performance.now()
    const record: ServedRequest = {at: now, region, target, attributes: body.LookupAttributes?.length ?? 0, hadToken: body.NextToken !== undefined, status: 200}
    const done = (status: number, payload: unknown): void => {
      record.status = status
      if (status >= 400) record.error = (payload as {__type?: string}).__type
      requests.push(record)
      reply(res, status, payload)
      options.onRequest?.(record)
    }
    const window = (accepted.get(region) ?? []).filter((t) => now - t < 1000)
    if (options.throttleAlways || window.length >= maxPerSecond) {
      accepted.set(region, window)
      return done(400, {__type: 'ThrottlingException', message: 'Rate exceeded'})
    }
    window.push(now)
    accepted.set(region, window)
    if ((body.LookupAttributes?.length ?? 0) > 1) return done(400, {__type: 'InvalidLookupAttributesException', message: 'You can only specify one lookup attribute.'})
    const maxResults = body.MaxResults ?? 50
    if (maxResults < 1 || maxResults > 50) return done(400, {__type: 'InvalidMaxResultsException', message: 'MaxResults must be 1 to 50.'})
    const paramsHash = createHash('sha256').update(JSON.stringify([secret, region, body.StartTime, body.EndTime, body.LookupAttributes ?? []])).digest('hex').slice(0, 16)
    let offset = 0
    if (body.NextToken !== undefined) {
      const [o, h] = Buffer.from(body.NextToken, 'base64').toString('utf8').split(':')
      if (h !== paramsHash || !/^\d+$/.test(o ?? '')) return done(400, {__type: 'InvalidNextTokenException', message: 'Invalid NextToken.'})
      offset = Number(o)
    }
    const attr = body.LookupAttributes?.[0]
    const matching = (sorted[region] ?? []).filter((e) => {
      if (body.StartTime !== undefined && e.EventTime < body.StartTime) return false
      if (body.EndTime !== undefined && e.EventTime > body.EndTime) return false
      if (!attr) return true
      switch (attr.AttributeKey) {
        case 'ResourceName':
          return e.Resources.some((r) => r.ResourceName === attr.AttributeValue)
        case 'ResourceType':
          return e.Resources.some((r) => r.ResourceType === attr.AttributeValue)
        default:
          return (e as unknown as Record<string, unknown>)[attr.AttributeKey] === attr.AttributeValue
      }
    })
    const page = matching.slice(offset, offset + maxResults)
    const next = offset + maxResults < matching.length ? Buffer.from(`${offset + maxResults}:${paramsHash}`).toString('base64') : undefined
    done(200, {Events: page, ...(next === undefined ? {} : {NextToken: next})})
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, {__type: 'InternalFailure', message: String(error)}))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    listPublicKeysCalls,
    get throttled() {
      return requests.filter((r) => r.status === 400 && r.target.endsWith('LookupEvents')).length
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The LookupEvents view of a CloudTrail record, as AWS derives it. */
export function lookupEventFromRecord(record: Record<string, unknown>): WireEvent {
  const identity = (record.userIdentity ?? {}) as Record<string, unknown>
  const issuer = ((identity.sessionContext as Record<string, unknown> | undefined)?.sessionIssuer ?? {}) as Record<string, unknown>
  const params = (record.requestParameters ?? {}) as Record<string, unknown>
  const resources: WireEvent['Resources'] = []
  if (typeof params.functionName === 'string') resources.push({ResourceType: 'AWS::Lambda::Function', ResourceName: params.functionName})
  if (typeof params.roleName === 'string') resources.push({ResourceType: 'AWS::IAM::Role', ResourceName: params.roleName})
  if (typeof params.userName === 'string') resources.push({ResourceType: 'AWS::IAM::User', ResourceName: params.userName})
  if (typeof params.name === 'string') resources.push({ResourceType: 'AWS::CloudTrail::Trail', ResourceName: params.name})
  const username = (identity.userName ?? (typeof identity.arn === 'string' ? identity.arn.split('/').at(-1) : undefined) ?? issuer.userName) as string | undefined
  return {
    EventId: String(record.eventID),
    EventName: String(record.eventName),
    ReadOnly: String(record.readOnly ?? false),
    ...(typeof identity.accessKeyId === 'string' ? {AccessKeyId: identity.accessKeyId} : {}),
    EventTime: Date.parse(String(record.eventTime)) / 1000,
    EventSource: String(record.eventSource),
    ...(username === undefined ? {} : {Username: username}),
    Resources: resources,
    CloudTrailEvent: JSON.stringify(record),
  }
}
