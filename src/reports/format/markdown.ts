import type {ReportModel, TableSection, TimelineRow} from '../model.js'
import {md} from './escape.js'
import {CARD_ITEMS, FINDING_CARDS, FINDING_ROWS, SECTIONS, moreNote, authors, keyTimeRows, reasonLine, summaryRows} from './outline.js'

/** A note line, or nothing. */
const more = (text: string | null): string[] => (text === null ? [] : [md(text), ''])

/** Rows of the full timeline Markdown lists (GitHub stops rendering very large files). */
export const MARKDOWN_TIMELINE_ROWS = 500

/** A table as one string (rows joined, never spread into an argument list: a table may hold thousands). */
function tableText(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>, max = 300): string {
  if (rows.length === 0) return '_None._\n'
  const lines = [`| ${headers.map((h) => md(h)).join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`]
  for (const r of rows) lines.push(`| ${r.map((c) => md(c, max)).join(' | ')} |`)
  return `${lines.join('\n')}\n`
}
const table = (headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>, max = 300): string[] => [tableText(headers, rows, max)]

const title = (id: (typeof SECTIONS)[number][0]): string => `## ${SECTIONS.findIndex(([s]) => s === id) + 1}. ${SECTIONS.find(([s]) => s === id)![1]}`
const short = (sha: string | null): string => (sha === null ? '' : sha)

/** The report as GitHub/GitLab Markdown: every value from the evidence escaped, no raw HTML, no links. */
export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [`# Incident report ${md(m.caseId)}`, '', `Generated ${md(m.generatedAt)} by ${md(`${m.tool.name} ${m.tool.version}`)}. Every value quoted from logs and API fields is shown as text.`, '']
  out.push(title('summary'), '', ...table(['', ''], summaryRows(m), 2000))
  out.push(title('key-times'), '', ...table(['', 'time (UTC)', 'what'], keyTimeRows(m)))
  out.push(title('findings'), '', ...findings(m))
  out.push(title('functions'), '', ...functions(m))
  out.push(title('containment'), '', ...containment(m))
  out.push(title('timeline'), '', ...timeline(m))
  out.push(title('indicators'), '', ...table(['type', 'value', 'first seen', 'last seen', 'events', 'in findings'], m.indicators.map((i) => [i.type, i.value, i.firstSeen, i.lastSeen, i.events, i.inFindings])))
  out.push(title('gaps'), '', ...(m.gaps.length === 0 ? ['No gap was recorded: every collector read what it was asked to.', ''] : table(['run', 'collector', 'resource', 'code', 'reason', 'what it means'], m.gaps.map((g) => [g.runId, g.collector, g.resource, g.code, g.reason, g.meaning]))))
  out.push(title('checks'), '', ...checks(m))
  out.push(title('custody'), '', ...table(['run', 'seq', 'at', 'type', 'what', 'line SHA-256'], m.custody.map((c) => [c.runId, c.seq, c.at, c.type, c.summary, c.lineSha256])))
  out.push(title('manifests'), '', ...manifests(m))
  for (const s of m.sections) out.push(`## ${md(s.title)}`, '', ...section(s))
  out.push('## Limits of this report', '', ...(m.limits.length === 0 ? ['Nothing was left out.'] : m.limits.map((l) => `- ${md(l, 2000)}`)), '')
  return `${out.join('\n').trimEnd()}\n`
}

function findings(m: ReportModel): string[] {
  if (m.findings.length === 0) return ['No rule or query flagged anything.', '']
  const out = [...table(['#', 'severity', 'time', 'finding', 'actor', 'target', 'ATT&CK', 'id'], m.findings.slice(0, FINDING_ROWS).map((f, i) => [i + 1, f.severity, f.time, f.title, f.actor, f.target, f.attack.join(' '), f.id]))]
  if (m.findings.length > FINDING_ROWS) out.push(`The first ${FINDING_ROWS} of ${m.findings.length} findings; the JSON report holds them all.`, '')
  for (const [i, f] of m.findings.slice(0, FINDING_CARDS).entries()) {
    out.push(`### ${i + 1}. ${md(f.title)} (${md(f.severity)})`, '', `Finding ${md(f.id)} at ${md(f.time ?? "unknown time")}; actor ${md(f.actor ?? 'unknown')}, target ${md(f.target ?? 'unknown')}, from ${md(f.sourceIp ?? 'unknown')}.`, '')
    out.push(...reasonLine(f).map((r) => `- ${md(r, 1000)}`), '')
    if (f.eventIds.length > 0) out.push(`Events: ${f.eventIds.slice(0, CARD_ITEMS).map((e) => md(e)).join(', ')}`, '', ...more(moreNote(CARD_ITEMS, f.eventIds.length, 'event ids')))
    out.push(...table(['evidence object', 'SHA-256', 'S3 VersionId'], f.evidence.slice(0, CARD_ITEMS).map((e) => [e.key, short(e.sha256), e.versionId ?? 'none (local store)'])), ...more(moreNote(CARD_ITEMS, f.evidence.length, 'evidence objects')))
  }
  return out
}

function functions(m: ReportModel): string[] {
  if (m.functions.length === 0) return ['No function configuration was collected.', '']
  const out: string[] = []
  for (const f of m.functions) {
    out.push(`### ${md(f.name)}`, '', ...table(['version', 'code SHA-256', 'size', 'runtime', 'role', 'last modified', 'layers', 'evidence', 'SHA-256', 'VersionId'], f.versions.map((v) => [v.version, v.codeSha256, v.codeSize, v.runtime, v.role, v.lastModified, v.layers.join(', '), v.evidence.key, v.evidence.sha256, v.evidence.versionId])))
    for (const c of f.changes) out.push(`Version ${md(c.from)} → ${md(c.to)}:`, '', ...table(['what', 'before', 'after'], c.fields.map((x) => [x.field, x.before, x.after])))
    for (const s of f.code) out.push(`#### ${md(s.title)}`, '', ...section(s))
  }
  return out
}

function containment(m: ReportModel): string[] {
  if (!m.containment.present) return ['No containment was recorded for this case.', '']
  return table(['action', 'target', 'status', 'applied', 'verified', 'time', 'before', 'after', 'notes'], m.containment.actions.map((a) => [a.action, a.target, a.status, a.applied, a.verified, a.time, a.before, a.after, a.notes]))
}

const timelineRows = (rows: readonly TimelineRow[]): string[] =>
  table(['time', 'source', 'severity', 'actor', 'action', 'target', 'source IP', 'detail', 'evidence'], rows.map((r) => [r.time, r.source, r.severity ?? '', r.actor, r.action, r.target, r.sourceIp, r.detail, r.evidenceKey]), 160)

function timeline(m: ReportModel): string[] {
  const t = m.timeline
  const rows = t.rows.slice(0, MARKDOWN_TIMELINE_ROWS)
  return [
    `### Attacker-relevant events (${t.relevant.length} of ${t.relevantTotal})`,
    '',
    'Events tied to a finding, and everything done by a principal or from an address named in one.',
    '',
    ...timelineRows(t.relevant),
    `### Full timeline (first ${rows.length} of ${t.total} rows)`,
    '',
    'The JSON report and the case database (view `timeline`) hold every row.',
    '',
    ...timelineRows(rows),
  ]
}

function checks(m: ReportModel): string[] {
  const out = [`Sigma rules by: ${authors(m).map((a) => md(a)).join('; ') || 'none'} (SigmaHQ rules under the Detection Rule License 1.1).`, '']
  return [...out, ...table(['kind', 'id', 'title', 'author', 'severity', 'status', 'hits', 'note'], m.checks.map((c) => [c.kind, c.id, c.title, c.author, c.severity, c.status, c.hits, c.reason]))]
}

function manifests(m: ReportModel): string[] {
  const v = m.verification
  const counts = Object.entries(v.artifacts).map(([k, n]) => `${n} ${k}`).join(', ')
  const out = [`Verified at ${md(v.at)} in ${md(v.store)}: **${v.ok ? 'intact' : 'PROBLEMS FOUND'}** (artifacts: ${md(counts || 'none')}).`, '']
  out.push(...v.problems.map((p) => `- ${md(p, 2000)}`), ...v.warnings.map((w) => `- warning: ${md(w, 2000)}`), ...(v.problems.length + v.warnings.length > 0 ? [''] : []))
  return [...out, ...table(['run', 'status', 'command', 'started', 'by', 'caller', 'artifacts', 'gaps', 'manifest SHA-256', 'previous manifest SHA-256'], m.manifests.map((r) => [r.runId, r.status, r.command, r.startedAt, r.user, r.caller, r.artifacts, r.gaps, r.manifestSha256, r.previousSha256 ?? 'none (first run)']))]
}

function section(s: TableSection): string[] {
  return [...(s.note ? [md(s.note, 1000), ''] : []), ...table(s.columns, s.rows.map((r) => s.columns.map((c) => r[c] ?? null)))]
}
