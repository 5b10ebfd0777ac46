// The benchmark table: one row per workload (coroner's figure, the peer's, their ratio, the
// target, coroner's peak RSS and whether it met its targets), and the change against an earlier run.

const num = (v, digits) => v.toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits})

/** A figure with its unit, rounded for reading. */
export function figure(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—'
  if (unit === 's') return `${num(value, value < 10 ? 2 : 1)} s`
  if (unit === 'MiB') return `${num(value, 0)} MiB`
  if (unit.endsWith('/s')) return `${num(value, value < 100 ? 1 : 0)} ${unit}`
  return `${num(value, 2)} ${unit}`
}

/** Whether a row met its targets: its ratio (lower is better unless `better: 'higher'`) and peak RSS. */
export function verdict(row) {
  if (row.error !== undefined) return 'FAILED'
  const fails = []
  if (row.target !== undefined && row.ratio !== undefined) {
    const ok = row.better === 'higher' ? row.ratio >= row.target : row.ratio <= row.target
    if (!ok) fails.push('ratio')
  }
  if (row.minimum !== undefined && row.coroner < row.minimum) fails.push('rate')
  if (row.maximum !== undefined && row.coroner > row.maximum) fails.push('time')
  if (row.rssTarget !== undefined && row.peakRssMiB > row.rssTarget) fails.push('memory')
  const targets = [row.target, row.rssTarget, row.minimum, row.maximum].some((t) => t !== undefined)
  return fails.length === 0 ? (targets ? 'ok' : '') : `missed: ${fails.join(', ')}`
}

const targetText = (r) => {
  const parts = []
  if (r.target !== undefined) parts.push(`${r.better === 'higher' ? '≥' : '≤'} ${r.target}×`)
  if (r.minimum !== undefined) parts.push(`≥ ${figure(r.minimum, r.unit)}`)
  if (r.maximum !== undefined) parts.push(`≤ ${figure(r.maximum, r.unit)}`)
  if (r.rssTarget !== undefined) parts.push(`RSS ≤ ${figure(r.rssTarget, 'MiB')}`)
  return parts.join(', ')
}

function render(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...lines.map(line)].join('\n')
}

/** Every benchmark's rows as one table; a benchmark that failed shows as one row saying so. */
export function renderRows(results) {
  const lines = []
  for (const r of results) {
    if (r.code !== 0 && r.rows.length === 0) lines.push([r.bench, `failed (exit ${r.code})`, '', '', '', '', 'FAILED'])
    else if (r.rows.length === 0) lines.push([r.bench, 'figures in latest.json', '', '', '', r.details?.peakRssMiB === undefined ? '—' : figure(r.details.peakRssMiB, 'MiB'), ''])
    for (const row of r.rows) {
      lines.push([
        row.workload,
        figure(row.coroner, row.unit),
        row.peer === undefined ? '—' : `${figure(row.peer, row.unit)}${row.peerName ? ` (${row.peerName})` : ''}`,
        row.ratio === undefined ? '—' : `${num(row.ratio, 2)}×`,
        targetText(row),
        row.peakRssMiB === undefined ? '—' : figure(row.peakRssMiB, 'MiB'),
        verdict(row),
      ])
    }
  }
  return render(['workload', 'coroner', 'peer', 'ratio', 'target', 'peak RSS', ''], lines)
}

/** Each workload of `now` beside the same workload in `before`: coroner's figure, peak RSS, change. */
export function compareResults(before, now) {
  const old = new Map(before.benches.flatMap((b) => b.rows).map((r) => [r.workload, r]))
  const lines = now.benches.flatMap((b) => b.rows).map((r) => {
    const o = old.get(r.workload)
    const change = o && o.coroner ? `${r.coroner >= o.coroner ? '+' : ''}${num((100 * (r.coroner - o.coroner)) / o.coroner, 0)}%` : 'new'
    return [r.workload, o ? figure(o.coroner, o.unit) : '—', figure(r.coroner, r.unit), change, o?.peakRssMiB === undefined ? '—' : figure(o.peakRssMiB, 'MiB'), r.peakRssMiB === undefined ? '—' : figure(r.peakRssMiB, 'MiB')]
  })
  return `change against ${before.startedAt} (${before.scale} scale)\n\n${render(['workload', 'before', 'now', 'change', 'RSS before', 'RSS now'], lines)}`
}
