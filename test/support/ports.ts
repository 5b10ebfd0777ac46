import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** A local port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}
