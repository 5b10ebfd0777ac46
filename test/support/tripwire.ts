import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** An endpoint that must not be called: it records every request and answers each with a 500. */
export interface Tripwire {
  url: string
  requests: string[]
  close(): Promise<void>
}

export async function startTripwire(): Promise<Tripwire> {
  const wire: Tripwire = {url: '', requests: [], close: async () => {}}
  const server = http.createServer((req, res) => {
    wire.requests.push(`${req.method} ${req.url} ${String(req.headers['x-amz-target'] ?? req.headers.authorization ?? '').slice(0, 80)}`)
    req.resume()
    req.on('end', () => {
      res.writeHead(500, {'content-type': 'text/plain'})
      res.end('this endpoint must not be called')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  wire.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  wire.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return wire
}
