// The peer of `coroner load`: a bare DuckDB read_json of the same delivery files into a one-column
// table, as someone would load them by hand. `node bare-read-json.js DB FILE_LIST.json` prints the
// number of records read.
import {readFileSync} from 'node:fs'
import {DuckDBInstance, LIST, VARCHAR, listValue} from '@duckdb/node-api'

const [db, list] = process.argv.slice(2)
const files = JSON.parse(readFileSync(list, 'utf8'))
const instance = await DuckDBInstance.create(db)
const connection = await instance.connect()
await connection.run(
  "CREATE TABLE bare AS SELECT unnest(Records) AS record FROM read_json($files, columns={Records: 'JSON[]'}, format='auto', compression='gzip')",
  {files: listValue(files)},
  {files: LIST(VARCHAR)},
)
await connection.run('CHECKPOINT')
const count = Number((await connection.runAndReadAll('SELECT count(*) FROM bare')).getRows()[0][0])
connection.closeSync()
instance.closeSync()
console.log(count)
