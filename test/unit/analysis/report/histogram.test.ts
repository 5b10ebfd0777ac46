import path from 'node:path'
import {LIST, VARCHAR, listValue} from '@duckdb/node-api'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../../src/analysis/db.js'
import {BUCKETS, bucketStart} from '../../../../src/analysis/report/timeline.js'
import {tempDir} from '../../../support/temp.js'

describe("the timeline chart's buckets", () => {
  it("start where DuckDB's time_bucket starts them, for every width the chart uses", async () => {
    const db = await AnalysisDb.open(path.join(await tempDir(), 'case.duckdb'))
    try {
      // Times on both sides of time_bucket's origin (2000-01-03) and of 1970, on bucket edges, a
      // microsecond either side of them, and a spread of a few years.
      const times = [
        '1969-12-31 23:59:59.999999+00', '1970-01-01 00:00:00+00', '1999-12-31 12:34:56.789012+00', '2000-01-02 23:59:59.999999+00',
        '2000-01-03 00:00:00+00', '2000-01-03 00:00:00.000001+00', '2024-02-29 23:59:59.999999+00', '2024-03-01 00:00:00+00', '2026-11-20 11:00:20+00',
      ]
      const sql = `WITH t(v) AS (SELECT CAST(unnest($times) AS TIMESTAMPTZ) UNION ALL SELECT TIMESTAMPTZ '2018-05-06 07:08:09.123456+00' + to_microseconds(i * 7777777777) FROM range(2000) r(i))`
      for (const [label, ms] of BUCKETS) {
        const r = await db.all(
          `${sql} SELECT count(*) AS n, count(*) FILTER (WHERE make_timestamptz(${bucketStart('v', ms)}) <> time_bucket(to_milliseconds(${ms}), v)) AS differ FROM t`,
          {times: listValue(times)},
          {times: LIST(VARCHAR)},
        )
        expect(r.rows[0], label).toEqual({n: times.length + 2000, differ: 0})
      }
    } finally {
      db.close()
    }
  })
})
