import {createHash} from 'node:crypto'
import {cutText, escapeControls} from '../../core/text.js'

/** What a line of code reaches for. */
export const INDICATOR_KINDS = [
  'url', 'domain', 'ip-address', 'process-execution', 'raw-socket', 'credential-env', 'environment-dump', 'proc-environ',
  'runtime-api', 'decode-exec', 'dynamic-code', 'base64-blob', 'hex-blob', 'high-entropy-string', 'aws-access-key',
] as const
export type IndicatorKind = (typeof INDICATOR_KINDS)[number]

/** One match: where (1-based line and column), what, and the matched text escaped and cut. */
export interface Indicator {
  line: number
  column: number
  kind: IndicatorKind
  value: string
  detail: string | null
}

/** The longest matched text kept (after escaping). */
export const VALUE_CHARS = 200

interface Rule {
  kind: IndicatorKind
  pattern: RegExp
  /** The value and detail to keep for a match, or null to drop it (a false positive). */
  accept?: (text: string, line: string, at: number) => Kept | null
}

/** What a rule keeps of a match: its value, and where it starts or which kind it is when not the rule's own. */
interface Kept {
  value: string
  detail: string | null
  kind?: IndicatorKind
  start?: number
}

const HOST_CHAR = /[A-Za-z0-9.-]/
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/** A host name ending at a matched top-level domain, found by walking back from it (cheaper than a regex from every position). */
function hostBefore(tld: string, text: string, at: number): Kept | null {
  let start = at
  while (start > 0 && HOST_CHAR.test(text[start - 1]!)) start--
  if (start > 0 && /[\w@/:]/.test(text[start - 1]!)) return null
  const labels = text.slice(start, at).split('.')
  if (labels.length === 0 || !labels.every((l) => LABEL.test(l))) return null
  if (labels.length === 1 && (labels[0]!.length < 2 || CODE_NAMES.has(labels[0]!.toLowerCase()))) return null
  return {value: `${text.slice(start, at)}${tld}`.toLowerCase(), detail: null, start}
}

const TLDS = 'com|net|org|io|ru|cn|xyz|biz|cc|tk|ml|ga|cf|gq|onion|su|pw|club|online|icu|buzz|monster|cyou|sbs|cloud|eu|us|uk|fr|nl|de|jp|kr|br|ir|kp|ua|kz|hk|tw|vn|edu|gov|mil'
// Two-label names whose first label is a common variable (`this.net`, `config.io`) are code, not hosts.
const CODE_NAMES = new Set(['this', 'self', 'module', 'exports', 'window', 'document', 'console', 'process', 'os', 'sys', 'config', 'options', 'opts', 'obj', 'data', 'ctx', 'req', 'res', 'app', 'socket', 'server', 'client', 'lib', 'util', 'utils'])

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length)
  return bits
}

const classes = (s: string): number => [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(s)).length

/** A secret-like value is kept recognisable but not whole: its ends, length and a hash prefix. */
function masked(s: string): {value: string; detail: string} {
  const sha = createHash('sha256').update(s).digest('hex').slice(0, 12)
  return {value: `${s.slice(0, 4)}…${s.slice(-4)} (${s.length} chars)`, detail: `entropy ${entropy(s).toFixed(2)} bits/char, sha256 ${sha}…`}
}

function ipClass(ip: string): string {
  if (ip === '169.254.169.254') return 'instance metadata service'
  if (ip === '169.254.170.2') return 'container credentials endpoint'
  const [a, b] = ip.split('.').map(Number) as [number, number]
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 169 && b === 254) return 'link-local'
  if (a === 0 || a >= 224) return 'reserved'
  return 'public'
}

function base64Preview(blob: string): string {
  const bytes = Buffer.from(blob.slice(0, 160).replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  const printable = [...bytes].filter((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09).length
  return printable >= bytes.length * 0.85 ? `decodes to text: "${cutText(escapeControls(bytes.toString('latin1')), 80)}"` : `decodes to binary`
}

const RULES: Rule[] = [
  {kind: 'url', pattern: /\b(?:https?|wss?|ftps?):\/\/(?:[^\s"'`<>()\\{}[\]|^]|\$\{[^}\s]{1,200}\}){2,2000}/gi, accept: (t) => ({value: t.replace(/[.,;:!?]+$/, ''), detail: null})},
  {kind: 'domain', pattern: new RegExp(`\\.(?:${TLDS})(?![\\w-]|\\.\\w|\\()`, 'gi'), accept: hostBefore},
  {kind: 'ip-address', pattern: new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`, 'g'), accept: (t) => ({value: t, detail: ipClass(t)})},
  {kind: 'process-execution', pattern: /\b(?:node:)?child_process\b|\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)\b|\bos\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)\s*\(|\bpty\.spawn\b|\bRuntime\.getRuntime\(\)\.exec\b|\bnew\s+ProcessBuilder\b|\bexec\.Command(?:Context)?\s*\(|\bsyscall\.Exec\b|\bProcess\.Start\s*\(|\bKernel\.(?:system|exec|spawn)\b|\bOpen3\.\w+|\bIO\.popen\b|\/bin\/(?:ba)?sh\b/g},
  {kind: 'raw-socket', pattern: /\bnet\.(?:Socket|connect|createConnection)\b|\bdgram\.createSocket\b|\btls\.connect\b|\brequire\(\s*['"](?:node:)?(?:net|dgram)['"]\s*\)|\bsocket\.(?:socket|create_connection)\s*\(|\bnew\s+(?:Socket|DatagramSocket)\s*\(|\/dev\/(?:tcp|udp)\/|\bnet\.Dial(?:TCP|UDP|Timeout)?\s*\(|\bnc\s+(?:-\w+\s+)*-e\b/g},
  {kind: 'credential-env', pattern: /\bAWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN|ACCESS_KEY_ID|CONTAINER_CREDENTIALS_(?:FULL|RELATIVE)_URI|CONTAINER_AUTHORIZATION_TOKEN(?:_FILE)?)\b/g},
  {kind: 'environment-dump', pattern: /JSON\.stringify\(\s*process\.env\s*[,)]|\.\.\.process\.env\b|\bObject\.(?:entries|keys|values|assign)\(\s*(?:\{\}\s*,\s*)?process\.env\s*\)|\bdict\(\s*os\.environ\s*\)|\bos\.environ\.(?:copy|items)\(\)|\bjson\.dumps\(\s*(?:dict\(\s*)?os\.environ\b|\bSystem\.getenv\(\s*\)|\bENV\.to_h\b/g},
  {kind: 'proc-environ', pattern: /\/proc\/(?:self|thread-self|\d+)\/environ\b/g},
  {kind: 'runtime-api', pattern: /\bAWS_LAMBDA_RUNTIME_API\b|\/2018-06-01\/runtime\/invocation\b|\/2020-01-01\/(?:extension|telemetry)\b|\/2020-08-15\/logs\b/g},
  {
    kind: 'decode-exec',
    pattern: /\beval\s*\(\s*(?:atob|unescape|decodeURIComponent|String\.fromCharCode|Buffer\.from|require\(\s*['"](?:node:)?zlib['"]\s*\))|\bnew\s+Function\s*\([^)]{0,200}?(?:atob|Buffer\.from|base64)|\bvm\.runIn(?:This|New)?Context\s*\([^)]{0,200}?(?:atob|Buffer\.from|base64)|\b(?:exec|eval)\s*\(\s*(?:compile\s*\(\s*)?(?:base64\.b(?:64|32|16|85)decode|codecs\.decode|zlib\.decompress|bytes\.fromhex|binascii\.(?:unhexlify|a2b_base64)|marshal\.loads|__import__\(\s*['"](?:base64|zlib|codecs|marshal)['"]\s*\))|\beval\s*\(\s*Base64\.decode64\b/g,
  },
  {kind: 'dynamic-code', pattern: /(?<![.\w$])(?:eval|exec)\s*\(|\bnew\s+Function\s*\(|\bvm\.runIn(?:This|New)?Context\b|\b__import__\s*\(/g},
  {
    // One pass finds long runs of base64 characters; a run of hex digits alone is a hex blob.
    kind: 'base64-blob',
    pattern: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{100,}={0,2}(?![A-Za-z0-9+/=_-])/g,
    accept: (t, line, at) => {
      if (/^[0-9A-Fa-f]+$/.test(t)) return t.length >= 160 ? {value: cutText(t, 64), detail: `${t.length} chars`, kind: 'hex-blob'} : null
      // Subresource integrity hashes (package-lock.json) are base64 too, and harmless.
      if (/sha(?:1|256|384|512)-$/.test(line.slice(Math.max(0, at - 7), at))) return null
      if (classes(t.replace(/[+/=_-]/g, '')) < 3 || entropy(t) < 4.2) return null
      return {value: cutText(t, 64), detail: `${t.length} chars, ${base64Preview(t)}`}
    },
  },
  {kind: 'hex-blob', pattern: /(?:\\x[0-9A-Fa-f]{2}){16,}|(?:0x[0-9A-Fa-f]{2}\s*,\s*){32,}/g, accept: (t) => ({value: cutText(t, 64), detail: `${t.length} chars`})},
  {
    kind: 'high-entropy-string',
    pattern: /(["'`])([^"'`\s\\]{32,512})\1/g,
    accept: (t) => {
      const s = t.slice(1, -1)
      return s.includes('://') || classes(s) < 3 || entropy(s) < 4.5 ? null : masked(s)
    },
  },
  {kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g},
]

/** Kinds that a stronger match at the same place makes redundant. */
const OUTRANKED: Partial<Record<IndicatorKind, IndicatorKind[]>> = {'dynamic-code': ['decode-exec'], 'high-entropy-string': ['base64-blob', 'hex-blob', 'aws-access-key']}

interface Found extends Indicator {
  start: number
  end: number
}

/** Whether a span of `spans` (one rule's matches: sorted and disjoint) overlaps [start, end). */
function overlaps(spans: readonly Found[], start: number, end: number): boolean {
  let lo = 0
  let hi = spans.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (spans[mid]!.start < end) lo = mid + 1
    else hi = mid
  }
  return lo > 0 && spans[lo - 1]!.end > start
}

/**
 * The indicators of a block of text (whole lines, or one window of a very long line), in order.
 * Each rule runs once over the block and each match is placed by line and column: `firstLine` is
 * the block's first line, `firstColumn` the column its first character has. Values are escaped for
 * any terminal and cut to VALUE_CHARS.
 */
export function scanText(text: string, firstLine: number, firstColumn = 1): Indicator[] {
  if (text.length < 6) return []
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  const place = (at: number): {line: number; column: number} => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= at) lo = mid
      else hi = mid - 1
    }
    return {line: firstLine + lo, column: at - starts[lo]! + (lo === 0 ? firstColumn : 1)}
  }
  const byKind = new Map<IndicatorKind, Found[]>(INDICATOR_KINDS.map((k) => [k, []]))
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0
    for (const m of text.matchAll(rule.pattern)) {
      const kept: Kept | null = rule.accept ? rule.accept(m[0], text, m.index) : {value: m[0], detail: null}
      if (kept === null) continue
      const start = kept.start ?? m.index
      const kind = kept.kind ?? rule.kind
      byKind.get(kind)!.push({...place(start), start, end: m.index + m[0].length, kind, value: cutText(escapeControls(kept.value), VALUE_CHARS), detail: kept.detail})
    }
  }
  // Matches of one kind from two rules (the hex runs and the escaped bytes) are put back in order.
  for (const list of byKind.values()) list.sort((a, b) => a.start - b.start)
  const out: Found[] = []
  for (const [kind, list] of byKind) {
    const stronger = (OUTRANKED[kind] ?? []).map((k) => byKind.get(k) ?? [])
    for (const f of list) if (!stronger.some((spans) => overlaps(spans, f.start, f.end))) out.push(f)
  }
  return out.sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind)).map(({start: _s, end: _e, ...i}) => i)
}

/** The indicators of one line (`offset` characters into it when it is a window of a long line). */
export function scanLine(text: string, line: number, offset = 0): Indicator[] {
  return scanText(text, line, offset + 1)
}
