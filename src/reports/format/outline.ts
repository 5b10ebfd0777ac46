import type {ReportFinding, ReportModel} from '../model.js'

/**
 * The sections every format renders, in order: AWS's incident response playbook template
 * (Part 5: timeline, key metrics) and the incident record of NIST SP 800-61 (status, summary,
 * indicators, actions taken, evidence, chain of custody). Formats share the titles, so a reader can
 * move between the Markdown, HTML and PDF of one case.
 */
export const SECTIONS = [
  ['summary', 'Summary'],
  ['key-times', 'Key times'],
  ['findings', 'Findings'],
  ['functions', 'Affected functions'],
  ['containment', 'Containment'],
  ['timeline', 'Timeline'],
  ['indicators', 'Indicators'],
  ['gaps', 'Gaps in collection'],
  ['checks', 'Checks that ran'],
  ['custody', 'Custody journal'],
  ['manifests', 'Manifest chain and verification'],
] as const

export type SectionId = (typeof SECTIONS)[number][0]

/** Findings HTML and Markdown list in their table, and detail one by one (the JSON holds all). */
export const FINDING_ROWS = 2000
export const FINDING_CARDS = 200
/** Event ids and evidence objects a finding's detail lists (a finding of repeated hits covers thousands). */
export const CARD_ITEMS = 20

/** What a finding's detail leaves out of a list, and where the rest is; null when it lists all. */
export function moreNote(shown: number, total: number, what: string): string | null {
  return total > shown ? `The first ${shown} of ${total} ${what}; the JSON report and the case database (table findings) hold them all.` : null
}

/** The key times as label and value rows. */
export function keyTimeRows(m: ReportModel): Array<[string, string, string]> {
  const k = m.keyTimes
  const row = (label: string, t: {time: string | null; what: string} | null): [string, string, string] => [label, t?.time ?? 'not known', t?.what ?? '']
  return [
    row('First suspicious event', k.firstSuspicious),
    row('Last suspicious event', k.lastSuspicious),
    row('Detected', k.detected),
    row('Evidence first collected', k.firstCollection),
    row('Evidence last collected', k.lastCollection),
    row('Contained', k.containment),
    ['Time to contain', k.timeToContain ?? (k.containment === null ? 'not contained (no containment action recorded)' : 'not known'), 'first suspicious event to first containment'],
  ]
}

/** What a finding is flagged by, as one line: `rule Title (author)`. */
export function reasonLine(f: ReportFinding): string[] {
  return f.reasons.map((r) => `${r.source === 'sigma' ? 'Sigma rule' : 'query'} ${r.id}: ${r.title} [${r.severity}]${r.author ? `, by ${r.author}` : ''}`)
}

/** The rules and queries' authors, for the Detection Rule License's attribution. */
export function authors(m: ReportModel): string[] {
  return [...new Set(m.checks.filter((c) => c.kind === 'sigma' && c.status === 'ran' && c.author).map((c) => c.author!))].sort()
}

export const severityCounts = (m: ReportModel): string =>
  (['critical', 'high', 'medium', 'low', 'info'] as const).map((s) => `${m.summary.bySeverity[s] ?? 0} ${s}`).join(', ')

/** The summary as label and value pairs. */
export function summaryRows(m: ReportModel): Array<[string, string]> {
  const s = m.summary
  return [
    ['Case', m.caseId],
    ['What', s.headline],
    ['Findings', severityCounts(m)],
    ['Functions', s.functions.join(', ') || 'none collected'],
    ['Principals in findings', s.principals.join(', ') || 'none'],
    ['Accounts', s.accounts.join(', ') || 'none seen'],
    ['Regions', s.regions.join(', ') || 'none seen'],
    ['Time window covered', `${s.window.from ?? '?'} to ${s.window.to ?? '?'}`],
    ['Evidence', Object.entries(s.events).map(([k, v]) => `${v} ${k}`).join(', ') || 'none loaded'],
    ['Evidence verified at report time', m.verification.ok ? `yes: every object re-hashed and the chain walked at ${m.verification.at}` : `NO: ${m.verification.problems.length} problem(s), see the last section`],
    ['Secrets', m.secretsRedacted ? 'Lambda environment values redacted (--show-secrets shows them)' : 'SHOWN: this report holds secret values'],
  ]
}
