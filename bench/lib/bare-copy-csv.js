// The peer of `coroner query --csv`: DuckDB's own COPY of the same query to a CSV file, as a
// responder would write it by hand in the DuckDB shell. `node bare-copy-csv.js DB SQL OUT.csv`
// prints the number of rows written.
import {DuckDBInstance} from '@duckdb/node-api'

const [db, sql, out] = process.argv.slice(2)
const instance = await DuckDBInstance.create(db, {access_mode: 'READ_ONLY'})
const connection = await instance.connect()
await connection.run("SET TimeZone = 'UTC'")
const r = await connection.runAndReadAll(`COPY (${sql}) TO '${out.replaceAll("'", "''")}' (HEADER, DELIMITER ',')`)
console.log(Number(r.getRows()[0]?.[0] ?? 0))
connection.closeSync()
instance.closeSync()
