import {createHash} from 'node:crypto'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** A canned answer in the AWS REST-JSON wire format, for calls moto lacks or that a test denies. */
export interface CannedAnswer {
  method: string
  path: RegExp
  /** For JSON-1.1 services (CloudWatch Logs): the `X-Amz-Target` to answer, e.g. `Logs_20140328.FilterLogEvents`. */
  target?: string
  /** For query-protocol services (IAM, STS): the form body's `Action` to answer, e.g. `UpdateAccessKey`. */
  action?: string
  /** Answer only requests whose body passes this test. */
  when?: (body: string) => boolean
  status: number
  /** JSON answered as is; with `xml`, the body is that text instead (the query protocol's XML). */
  body: unknown
  xml?: string
  errorType?: string
}

export interface LambdaProxy {
  url: string
  /** Every request seen, as `METHOD /path?query`. */
  requests: string[]
  /** Every request seen with what names its operation: the JSON protocols' X-Amz-Target, the query protocol's Action. */
  calls: Array<{method: string; url: string; target?: string; action?: string}>
  /** Requests that asked for a byte range, as `METHOD /path?query bytes=a-b`. */
  ranges: string[]
  /** Code served by CodeSha256 (base64), as the test uploaded it. */
  packages: Map<string, Buffer>
  /** CodeSha256 values whose bytes are served altered. */
  tamper: Set<string>
  canned: CannedAnswer[]
  /** Edits moto's JSON answer to a request before it is sent on, to show what moto cannot hold (a layer of another account). */
  transforms: Array<{method: string; path: RegExp; edit: (doc: Record<string, unknown>) => Record<string, unknown>}>
  /** Called with each request line as it arrives, before it is answered. */
  onRequest?: (line: string) => void
  close(): Promise<void>
}

const sha256b64 = (b: Buffer): string => createHash('sha256').update(b).digest('base64')

/**
 * A local HTTP server in front of moto_server: every request is forwarded to moto, except that
 * GetFunction's `Code.Location` and GetLayerVersion's `Content.Location` (which moto cannot serve)
 * are rewritten to URLs on this server that serve the bytes the test uploaded, like Lambda's
 * presigned S3 URLs. Canned answers stand in for operations moto does not implement.
 */
export async function startLambdaProxy(motoEndpoint: string): Promise<LambdaProxy> {
  const proxy: LambdaProxy = {url: '', requests: [], calls: [], ranges: [], packages: new Map(), tamper: new Set(), canned: [], transforms: [], close: async () => {}}
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        res.writeHead(502, {'content-type': 'text/plain'})
        res.end(String(error))
      })
    })
  })
  async function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const path = url.split('?')[0]!
    proxy.requests.push(`${req.method} ${url}`)
    const amzTarget = req.headers['x-amz-target']
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1]
    proxy.calls.push({method: req.method ?? '', url, ...(typeof amzTarget === 'string' ? {target: amzTarget} : {}), ...(action === undefined ? {} : {action})})
    if (typeof req.headers.range === 'string') proxy.ranges.push(`${req.method} ${url} ${req.headers.range}`)
    proxy.onRequest?.(`${req.method} ${url}`)
    if (path.startsWith('/__code/')) {
      const sha = decodeURIComponent(path.slice('/__code/'.length))
      const bytes = proxy.packages.get(sha)
      if (!bytes) {
        res.writeHead(403, {'content-type': 'application/xml'})
        res.end('<Error><Code>AccessDenied</Code></Error>')
        return
      }
      const served = proxy.tamper.has(sha) ? Buffer.concat([bytes, Buffer.from('tampered')]) : bytes
      res.writeHead(200, {'content-type': 'application/zip', 'content-length': String(served.length)})
      res.end(served)
      return
    }
    const target = req.headers['x-amz-target']
    const canned = proxy.canned.find(
      (c) => c.method === req.method && c.path.test(path) && (c.target === undefined || c.target === target) && (c.action === undefined || c.action === action) && (c.when === undefined || c.when(body.toString('utf8'))),
    )
    if (canned?.xml !== undefined) {
      res.writeHead(canned.status, {'content-type': 'text/xml', 'x-amzn-requestid': 'canned'})
      res.end(canned.xml)
      return
    }
    if (canned) {
      res.writeHead(canned.status, {
        'content-type': canned.target === undefined ? 'application/json' : 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'canned',
        ...(canned.errorType === undefined ? {} : {'x-amzn-errortype': canned.errorType}),
      })
      res.end(JSON.stringify(canned.body))
      return
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
    const upstream = await fetch(`${motoEndpoint}${url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? {body} : {}),
    })
    let text = Buffer.from(await upstream.arrayBuffer())
    if (req.method === 'GET' && upstream.ok && /^\/2015-03-31\/functions\/[^/]+$/.test(path)) {
      const doc = JSON.parse(text.toString('utf8')) as {Configuration?: {CodeSha256?: string}; Code?: {Location?: string}}
      if (doc.Code?.Location !== undefined && doc.Configuration?.CodeSha256 !== undefined) {
        doc.Code.Location = `${proxy.url}/__code/${encodeURIComponent(doc.Configuration.CodeSha256)}?X-Amz-Signature=fake`
        text = Buffer.from(JSON.stringify(doc))
      }
    }
    if (req.method === 'GET' && upstream.ok && /^\/2018-10-31\/layers\/[^/]+\/versions\/\d+$/.test(path)) {
      const doc = JSON.parse(text.toString('utf8')) as {Content?: {CodeSha256?: string; Location?: string}}
      if (doc.Content?.CodeSha256 !== undefined) {
        doc.Content.Location = `${proxy.url}/__code/${encodeURIComponent(doc.Content.CodeSha256)}?X-Amz-Signature=fake`
        text = Buffer.from(JSON.stringify(doc))
      }
    }
    const transform = proxy.transforms.find((t) => t.method === req.method && t.path.test(path))
    if (transform && upstream.ok) text = Buffer.from(JSON.stringify(transform.edit(JSON.parse(text.toString('utf8')) as Record<string, unknown>)))
    const out: Record<string, string> = {}
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding' && k !== 'connection') out[k] = v
    })
    out['content-length'] = String(text.length)
    res.writeHead(upstream.status, out)
    res.end(text)
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return proxy
}

/** Registers bytes to be served for their own SHA-256, as Lambda would for an uploaded package. */
export function servePackage(proxy: LambdaProxy, bytes: Buffer): string {
  const sha = sha256b64(bytes)
  proxy.packages.set(sha, bytes)
  return sha
}

