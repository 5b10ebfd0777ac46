import {createHash} from 'node:crypto'
import type {ReportModel, TableSection, TimelineRow} from '../model.js'
import {html, stringOf} from './escape.js'
import {SCRIPT, STYLE} from './html-assets.js'
import {CARD_ITEMS, FINDING_CARDS, FINDING_ROWS, SECTIONS, moreNote, authors, keyTimeRows, reasonLine, summaryRows} from './outline.js'

/** A note paragraph, or nothing. */
const note = (text: string | null): string => (text === null ? '' : `<p class="note">${html(text)}</p>`)

/** Rows of the full timeline a printed (PDF) report holds; the screen version holds what the model does. */
export const PRINT_TIMELINE_ROWS = 300
/** A cell longer than this is cut, and says so: one log line cannot make the page unreadable. */
const MAX_CELL = 2000

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/**
 * The Content-Security-Policy of the report: nothing may be fetched (no image, font, frame, form
 * or connection), and only the report's own style sheet and script run, each admitted by hash.
 */
export const CSP = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; img-src 'none'; font-src 'none'; connect-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'`

const cut = (v: unknown): string => {
  const s = stringOf(v)
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL)}… (${s.length - MAX_CELL} more characters in the JSON report)` : s
}
const td = (v: unknown, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${html(cut(v))}</td>`
const sev = (s: string | null): string => (s === null ? '<td data-sort="-1"></td>' : `<td class="sev sev-${html(s)}" data-sort="${['info', 'low', 'medium', 'high', 'critical'].indexOf(s)}">${html(s)}</td>`)

function table(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>, options: {sortable?: boolean; id?: string} = {}): string {
  if (rows.length === 0) return '<p class="note">None.</p>'
  const head = `<thead><tr>${headers.map((h) => `<th>${html(h)}</th>`).join('')}</tr></thead>`
  const body = rows.map((r) => `<tr>${r.map((c) => td(c)).join('')}</tr>`).join('\n')
  return `<table${options.id ? ` id="${options.id}"` : ''}${options.sortable === false ? '' : ' class="sortable"'}>${head}<tbody>\n${body}\n</tbody></table>`
}
const kv = (rows: ReadonlyArray<readonly [string, ...unknown[]]>): string => `<table class="kv"><tbody>${rows.map(([k, ...v]) => `<tr><th>${html(k)}</th>${v.map((x) => td(x)).join('')}</tr>`).join('')}</tbody></table>`
const section = (id: (typeof SECTIONS)[number][0], body: string): string => `<section id="${id}"><h2>${SECTIONS.findIndex(([s]) => s === id) + 1}. ${html(SECTIONS.find(([s]) => s === id)![1])}</h2>\n${body}\n</section>`

export interface HtmlOptions {
  /** The timeline chart as SVG (from chart.ts); empty for none. */
  chart: string
  /** For printing (PDF): a shorter full timeline. */
  print?: boolean
}

/**
 * The report as one HTML file that opens offline and makes no request: inline style sheet and
 * script admitted by hash in its Content-Security-Policy, the chart as inline SVG, and every value
 * from the evidence escaped as text.
 */
export function renderHtml(m: ReportModel, options: HtmlOptions): string {
  const parts = [
    section('summary', kv(summaryRows(m))),
    section('key-times', kv(keyTimeRows(m))),
    section('findings', findings(m)),
    section('functions', functions(m)),
    section('containment', containment(m)),
    section('timeline', timeline(m, options)),
    section('indicators', table(['type', 'value', 'first seen', 'last seen', 'events', 'in findings'], m.indicators.map((i) => [i.type, i.value, i.firstSeen, i.lastSeen, i.events, i.inFindings]))),
    section('gaps', m.gaps.length === 0 ? '<p>No gap was recorded: every collector read what it was asked to.</p>' : table(['run', 'collector', 'resource', 'code', 'reason', 'what it means'], m.gaps.map((g) => [g.runId, g.collector, g.resource, g.code, g.reason, g.meaning]))),
    section('checks', `<p>Sigma rules by: ${html(authors(m).join('; ') || 'none')} (SigmaHQ rules under the Detection Rule License 1.1).</p>${table(['kind', 'id', 'title', 'author', 'severity', 'status', 'hits', 'note'], m.checks.map((c) => [c.kind, c.id, c.title, c.author, c.severity, c.status, c.hits, c.reason]))}`),
    section('custody', `${m.custody.length < m.custodyTotal ? `<p class="note">The first ${m.custody.length} of ${m.custodyTotal} lines.</p>` : ''}${table(['run', 'seq', 'at', 'type', 'what', 'line SHA-256'], m.custody.map((c) => [c.runId, c.seq, c.at, c.type, c.summary, c.lineSha256]))}`),
    section('manifests', manifests(m)),
    ...m.sections.map((s) => `<section id="${html(s.id)}"><h2>${html(s.title)}</h2>${extra(s)}</section>`),
    `<section id="limits"><h2>Limits of this report</h2>${m.limits.length === 0 ? '<p>Nothing was left out.</p>' : `<ul>${m.limits.map((l) => `<li>${html(l)}</li>`).join('')}</ul>`}</section>`,
  ]
  const nav = `<nav><ol>${SECTIONS.map(([id, t]) => `<li><a href="#${id}">${html(t)}</a></li>`).join('')}</ol></nav>`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident report ${html(m.caseId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Incident report ${html(m.caseId)}</h1>
<p class="meta">Generated ${html(m.generatedAt)} by ${html(`${m.tool.name} ${m.tool.version}`)}. Every value quoted from logs and API fields is shown as text. This file makes no network request.</p>
${nav}</header>
<main>
${parts.join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
}

function findings(m: ReportModel): string {
  if (m.findings.length === 0) return '<p>No rule or query flagged anything.</p>'
  const rows = m.findings.slice(0, FINDING_ROWS).map((f, i) => `<tr><td data-sort="${i + 1}">${i + 1}</td>${sev(f.severity)}${td(f.time)}<td><a href="#${html(f.id)}">${html(f.title)}</a></td>${td(f.actor)}${td(f.target)}${td(f.attack.join(' '))}${td(f.id, 'mono')}</tr>`)
  const summary = `<table class="sortable" id="findings-table"><thead><tr>${['#', 'severity', 'time', 'finding', 'actor', 'target', 'ATT&CK', 'id'].map((h) => `<th>${html(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
  const more = m.findings.length > FINDING_ROWS ? `<p class="note">The first ${FINDING_ROWS} of ${m.findings.length} findings; the JSON report holds them all.</p>` : ''
  const cards = m.findings.slice(0, FINDING_CARDS).map(
    (f, i) => `<div class="finding ${html(f.severity)}" id="${html(f.id)}"><h3>${i + 1}. ${html(f.title)} <span class="sev sev-${html(f.severity)}">${html(f.severity)}</span></h3>
<p>Finding <span class="mono">${html(f.id)}</span> at ${html(f.time ?? 'unknown time')}; actor ${html(f.actor ?? 'unknown')}, target ${html(f.target ?? 'unknown')}, from ${html(f.sourceIp ?? 'unknown')}.</p>
<ul>${reasonLine(f).map((r) => `<li>${html(r)}</li>`).join('')}</ul>
${f.eventIds.length > 0 ? `<p>Events: <span class="mono">${html(f.eventIds.slice(0, CARD_ITEMS).join(', '))}</span></p>${note(moreNote(CARD_ITEMS, f.eventIds.length, 'event ids'))}` : ''}
${table(['evidence object', 'SHA-256', 'S3 VersionId'], f.evidence.slice(0, CARD_ITEMS).map((e) => [e.key, e.sha256, e.versionId ?? 'none (local store)']), {sortable: false})}${note(moreNote(CARD_ITEMS, f.evidence.length, 'evidence objects'))}
${Object.keys(f.details).length > 0 ? `<details><summary>Details</summary>${kv(Object.entries(f.details).map(([k, v]) => [k, v]))}</details>` : ''}</div>`,
  )
  return `${summary}\n${more}\n${cards.join('\n')}`
}

function functions(m: ReportModel): string {
  if (m.functions.length === 0) return '<p>No function configuration was collected.</p>'
  return m.functions
    .map((f) => {
      const versions = table(['version', 'code SHA-256', 'size', 'runtime', 'role', 'last modified', 'layers', 'evidence', 'SHA-256', 'VersionId'], f.versions.map((v) => [v.version, v.codeSha256, v.codeSize, v.runtime, v.role, v.lastModified, v.layers.join(', '), v.evidence.key, v.evidence.sha256, v.evidence.versionId]))
      const changes = f.changes.map((c) => `<h4>Version ${html(c.from)} → ${html(c.to)}</h4>${table(['what', 'before', 'after'], c.fields.map((x) => [x.field, x.before, x.after]), {sortable: false})}`).join('')
      const code = f.code.map((s) => `<h4>${html(s.title)}</h4>${extra(s)}`).join('')
      return `<h3>${html(f.name)}</h3>${versions}${changes}${code}`
    })
    .join('\n')
}

function containment(m: ReportModel): string {
  if (!m.containment.present) return '<p>No containment was recorded for this case.</p>'
  return table(['action', 'target', 'status', 'applied', 'verified', 'time', 'before → after', 'notes'], m.containment.actions.map((a) => [a.action, a.target, a.status, a.applied, a.verified, a.time, `${a.before ?? '?'} → ${a.after ?? '?'}`, a.notes]))
}

const timelineBody = (rows: readonly TimelineRow[]): string =>
  rows.map((r) => `<tr data-source="${html(r.source)}" data-severity="${html(r.severity ?? '')}">${td(r.time, 'mono nowrap')}${td(r.source, 'nowrap')}${sev(r.severity)}${td(r.actor)}${td(r.action)}${td(r.target)}${td(r.sourceIp)}${td(r.detail)}${td(r.evidenceKey, 'mono')}</tr>`).join('\n')
const TIMELINE_HEAD = `<thead><tr>${['time', 'source', 'severity', 'actor', 'action', 'target', 'source IP', 'detail', 'evidence'].map((h) => `<th>${h}</th>`).join('')}</tr></thead>`

function timeline(m: ReportModel, options: HtmlOptions): string {
  const t = m.timeline
  const rows = options.print ? t.rows.slice(0, PRINT_TIMELINE_ROWS) : t.rows
  const sources = [...new Set(rows.map((r) => r.source))].sort()
  const chart = options.chart === '' ? '<p class="note">No timed events to chart.</p>' : `<figure class="chart">${options.chart}<figcaption class="note">Events over time by source (custody rows aside), and the events in findings by severity; ${html(t.bucket)} per bar.</figcaption></figure>`
  const controls = `<div class="controls screen-only"><label>Filter <input id="filter-text" type="search" placeholder="text in any column"></label>
<label>Source <select id="filter-source"><option value="">all</option>${sources.map((s) => `<option value="${html(s)}">${html(s)}</option>`).join('')}</select></label>
<label>Severity <select id="filter-severity"><option value="">all</option><option value="any">in a finding</option>${['critical', 'high', 'medium', 'low'].map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label>
<span><span id="filter-count">${rows.length}</span> of ${rows.length} rows shown</span></div>`
  return `${chart}
<h3>Attacker-relevant events (${t.relevant.length} of ${t.relevantTotal})</h3><p class="note">Events tied to a finding, and everything done by a principal or from an address named in one.</p>
<table class="sortable" id="relevant-table">${TIMELINE_HEAD}<tbody>\n${timelineBody(t.relevant)}\n</tbody></table>
<h3>Full timeline (first ${rows.length} of ${t.total} rows)</h3><p class="note">The JSON report and the case database (view <span class="mono">timeline</span>) hold every row.</p>
${controls}
<table class="sortable" id="timeline-table">${TIMELINE_HEAD}<tbody>\n${timelineBody(rows)}\n</tbody></table>`
}

function manifests(m: ReportModel): string {
  const v = m.verification
  const counts = Object.entries(v.artifacts).map(([k, n]) => `${n} ${k}`).join(', ')
  const status = `<p>Verified at ${html(v.at)} in ${html(v.store)}: <span class="${v.ok ? 'ok' : 'bad'}">${v.ok ? 'intact' : 'PROBLEMS FOUND'}</span> (artifacts: ${html(counts || 'none')}).</p>`
  const problems = v.problems.length + v.warnings.length === 0 ? '' : `<ul>${[...v.problems, ...v.warnings.map((w) => `warning: ${w}`)].map((p) => `<li>${html(p)}</li>`).join('')}</ul>`
  return `${status}${problems}${table(['run', 'status', 'command', 'started', 'by', 'caller', 'artifacts', 'gaps', 'manifest SHA-256', 'previous manifest SHA-256'], m.manifests.map((r) => [r.runId, r.status, r.command, r.startedAt, r.user, r.caller, r.artifacts, r.gaps, r.manifestSha256, r.previousSha256 ?? 'none (first run)']), {sortable: false})}`
}

function extra(s: TableSection): string {
  return `${s.note ? `<p class="note">${html(s.note)}</p>` : ''}${table(s.columns, s.rows.map((r) => s.columns.map((c) => r[c] ?? null)))}`
}
