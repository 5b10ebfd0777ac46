// One hunt over a case database, in a process of its own: every shipped Sigma rule in one scan
// alone (the scan's own speed), then the rules and every detection query side by side as
// `coroner findings` runs them, each timed (wall and CPU), then the injected attack checked against
// what fired. `node hunt-once.js DB ATTACK.json [per-rule]` prints one JSON line.
import {readFileSync} from 'node:fs'
import {AnalysisDb} from '../../dist/analysis/db.js'
import {runChecks} from '../../dist/analysis/findings/build.js'
import {runSigmaRules} from '../../dist/analysis/findings/from-hunt.js'
import {huntCase} from '../../dist/analysis/sigma/hunt.js'
import {BUILTIN_RULES_DIR, loadRules} from '../../dist/analysis/sigma/load.js'

const [dbPath, attackFile, mode] = process.argv.slice(2)
const attack = JSON.parse(readFileSync(attackFile, 'utf8'))
const LIMIT = 10_000

async function timed(work) {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const value = await work()
  const d = process.cpuUsage(cpu)
  return {seconds: (performance.now() - t) / 1000, cpuSeconds: (d.user + d.system) / 1e6, value}
}

const db = await AnalysisDb.open(dbPath, {readOnly: true})
try {
  if (mode === 'per-rule') {
    // The straightforward evaluation: each rule alone, over the JSON records.
    const rules = await loadRules([BUILTIN_RULES_DIR])
    const r = await timed(() => huntCase(db.connection, rules, {strategy: 'per-rule', maxHitsPerRule: LIMIT}))
    console.log(JSON.stringify({seconds: r.seconds, cpuSeconds: r.cpuSeconds, rules: r.value.rulesRun, hits: r.value.rules.reduce((n, x) => n + x.hits, 0)}))
  } else {
    const sigma = await timed(() => runSigmaRules(db, {sources: [BUILTIN_RULES_DIR], limit: LIMIT}))
    const both = await timed(() => runChecks(db, {sources: [BUILTIN_RULES_DIR], limit: LIMIT}))
    const queries = both.value.queries
    const fired = new Map()
    for (const c of [...both.value.sigma.candidates, ...queries.candidates]) {
      const name = c.reason.source === 'sigma' ? `sigma:${c.reason.file.split('/').pop().replace(/\.yml$/, '')}` : `query:${c.reason.id}`
      for (const id of c.eventIds) fired.set(id, [...(fired.get(id) ?? []), name])
    }
    const missed = []
    const falseAlarms = []
    for (const a of attack) {
      const got = fired.get(a.eventId) ?? []
      for (const d of a.detectedBy) if (!got.includes(d)) missed.push(`${a.name}: ${d}`)
      for (const s of a.silent) if (got.includes(s)) falseAlarms.push(`${a.name}: ${s}`)
    }
    const checks = [...both.value.sigma.checks, ...queries.checks]
    console.log(
      JSON.stringify({
        sigmaSeconds: sigma.seconds,
        sigmaCpuSeconds: sigma.cpuSeconds,
        checksSeconds: both.seconds,
        checksCpuSeconds: both.cpuSeconds,
        rules: sigma.value.checks.filter((c) => c.status === 'ran').length,
        queries: queries.checks.filter((c) => c.status === 'ran').length,
        failed: checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.reason}`),
        hits: checks.reduce((n, c) => n + c.hits, 0),
        missed,
        falseAlarms,
      }),
    )
  }
} finally {
  db.close()
}
