import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {CloudTrailClient, LookupEventsCommand} from '@aws-sdk/client-cloudtrail'
import {CloudWatchLogsClient, DescribeLogGroupsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {NodeHttpHandler} from '@smithy/node-http-handler'
import {afterEach, describe, expect, it} from 'vitest'
import {rateLimitClient} from '../../../src/aws/rate-limit.js'

/**
 * The SDK's own HTTP handler, noting when each attempt is handed to it: the moment pacing decides.
 * (Arrival at the server is not: on a busy machine one request's socket write can lag and bring
 * the next one's arrival closer than the client sent them.)
 */
class TimedHandler extends NodeHttpHandler {
  readonly sent: number[] = []
  override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    this.sent.push(performance.now())
    return super.handle(...args)
  }
}

const servers: http.Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** A JSON 1.1 endpoint that answers every call with an empty result and records when it came. */
async function recordingEndpoint(): Promise<{url: string; times: number[]}> {
  const times: number[] = []
  const server = http.createServer((req, res) => {
    times.push(performance.now())
    req.resume().on('end', () => {
      res.writeHead(200, {'content-type': 'application/x-amz-json-1.1'})
      res.end('{"logGroups":[]}')
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, times}
}

describe('rateLimitClient', () => {
  it('spaces every request a real SDK client sends at the given rate', async () => {
    const {url, times} = await recordingEndpoint()
    const handler = new TimedHandler()
    const client = new CloudWatchLogsClient({endpoint: url, region: 'us-east-1', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, requestHandler: handler})
    rateLimitClient(client, 10)
    expect(rateLimitClient(client, 10)).toBe(rateLimitClient(client, 10))
    await Promise.all(Array.from({length: 5}, () => client.send(new DescribeLogGroupsCommand({}))))
    client.destroy()
    expect(times).toHaveLength(5)
    const gaps = handler.sent.slice(1).map((t, i) => t - handler.sent[i]!)
    // 10/s with a burst of one: about 100 ms between requests, never two at once.
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(80)
  })
})

describe('rateLimitClient and the SDK\'s retries', () => {
  it('paces each retry of a failed call like any request: the limit counts attempts, not calls', async () => {
    const times: number[] = []
    const server = http.createServer((req, res) => {
      times.push(performance.now())
      req.resume().on('end', () => {
        const fail = times.length <= 2
        res.writeHead(fail ? 500 : 200, {'content-type': 'application/x-amz-json-1.1'})
        res.end(fail ? '{"__type":"InternalFailure","message":"try again"}' : '{"Events":[]}')
      })
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const handler = new TimedHandler()
    const client = new CloudTrailClient({endpoint: url, region: 'us-east-1', maxAttempts: 3, credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, requestHandler: handler})
    rateLimitClient(client, 2)
    await client.send(new LookupEventsCommand({}))
    client.destroy()
    // Two failures retried by the SDK (its own backoff is under 400 ms), then the answer: three attempts 500 ms apart.
    expect(times).toHaveLength(3)
    expect(handler.sent).toHaveLength(3)
    for (const [i, t] of handler.sent.slice(1).entries()) expect(t - handler.sent[i]!).toBeGreaterThanOrEqual(450)
  })
})
