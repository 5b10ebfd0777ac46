// A minimal CloudTrail LookupEvents endpoint (JSON 1.1) for benchmarks: pages newest first,
// NextToken paging, and HTTP 400 ThrottlingException above `maxPerSecond` requests in any
// 1000 ms window per region, as AWS enforces its limit of 2 requests/s per account and region.
import {createServer} from 'node:http'

export async function startFakeCloudTrail({events, maxPerSecond = 2}) {
  const sorted = [...events].sort((a, b) => b.EventTime - a.EventTime)
  const accepted = new Map()
  const stats = {requests: 0, throttled: 0}
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const send = (status, body) => {
        res.writeHead(status, {'content-type': 'application/x-amz-json-1.1'})
        res.end(JSON.stringify(body))
      }
      if (!String(req.headers['x-amz-target'] ?? '').endsWith('CloudTrail_20131101.LookupEvents')) return send(400, {__type: 'UnknownOperationException', message: 'not served'})
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? 'unknown'
      const now = performance.now()
      stats.requests++
      const window = (accepted.get(region) ?? []).filter((t) => now - t < 1000)
      if (window.length >= maxPerSecond) {
        stats.throttled++
        accepted.set(region, window)
        return send(400, {__type: 'ThrottlingException', message: 'Rate exceeded'})
      }
      window.push(now)
      accepted.set(region, window)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
      const matching = sorted.filter((e) => (body.StartTime === undefined || e.EventTime >= body.StartTime) && (body.EndTime === undefined || e.EventTime <= body.EndTime))
      const offset = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64').toString('utf8')) : 0
      const size = body.MaxResults ?? 50
      const next = offset + size < matching.length ? Buffer.from(String(offset + size)).toString('base64') : undefined
      send(200, {Events: matching.slice(offset, offset + size), ...(next ? {NextToken: next} : {})})
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(resolve)
    }),
  }
}
