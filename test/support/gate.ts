import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** A request as the gate saw it: the line, the query protocol's Action and the JSON protocols' X-Amz-Target. */
export interface GateRequest {
  line: string
  action?: string
  target?: string
}

export interface Gate {
  url: string
  seen: GateRequest[]
  /**
   * Holds the first request that matches (it is never answered, until the gate closes) and
   * resolves when it arrives: a test can then interrupt the client at a known point.
   */
  holdFirst(match: (r: GateRequest) => boolean): Promise<GateRequest>
  /** Sends the requests that match to another endpoint (CloudTrail to a fake LookupEvents server, say). */
  route(match: (r: GateRequest) => boolean, endpoint: string): void
  close(): Promise<void>
}

/** An HTTP hop in front of an endpoint, forwarding every request and answer as they are, except one it is told to hold. */
export async function startGate(defaultEndpoint: string): Promise<Gate> {
  let hold: {match: (r: GateRequest) => boolean; arrived: (r: GateRequest) => void} | undefined
  const routes: Array<{match: (r: GateRequest) => boolean; endpoint: string}> = []
  const gate: Gate = {
    url: '',
    seen: [],
    holdFirst: (match) => new Promise((arrived) => (hold = {match, arrived})),
    route: (match, endpoint) => void routes.push({match, endpoint}),
    close: async () => {},
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const action = /x-www-form-urlencoded/.test(String(req.headers['content-type'])) ? (new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined) : undefined
      const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined
      const seen: GateRequest = {line: `${req.method} ${req.url}`, ...(action === undefined ? {} : {action}), ...(target === undefined ? {} : {target})}
      gate.seen.push(seen)
      if (hold?.match(seen)) {
        const h = hold
        hold = undefined
        h.arrived(seen)
        return
      }
      forward(req, body, res, routes.find((r) => r.match(seen))?.endpoint ?? defaultEndpoint).catch((error: unknown) => {
        res.writeHead(502)
        res.end(String(error))
      })
    })
  })
  async function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, to: string): Promise<void> {
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
    const upstream = await fetch(`${to}${req.url ?? '/'}`, {method: req.method ?? 'GET', headers, ...(body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? {body} : {})})
    const bytes = Buffer.from(await upstream.arrayBuffer())
    const out: Record<string, string> = {}
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(k)) out[k] = v
    })
    res.writeHead(upstream.status, {...out, 'content-length': String(bytes.length)})
    res.end(bytes)
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  gate.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return gate
}
