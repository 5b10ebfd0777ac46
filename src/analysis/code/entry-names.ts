import yauzl from 'yauzl'

/** What an archive entry is, from its Unix mode where the archive records one, else from its name. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'special'

const S_IFMT = 0o170000
const TYPES: Record<number, EntryType> = {0o100000: 'file', 0o040000: 'directory', 0o120000: 'symlink'}
/** "Version made by" hosts whose external attributes carry a Unix mode in their high 16 bits (Unix, macOS). */
const UNIX_HOSTS = new Set([3, 19])

/**
 * An entry's name as the archive records it: the Info-ZIP Unicode Path field when its CRC matches,
 * else UTF-8 when flagged, else CP437. Backslashes are kept (they are evidence: a Windows tool, or
 * a name meant to look like a path on another system), so nothing here makes a name safe to use.
 */
export function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw ?? Buffer.from(String(entry.fileName))
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true)
}

/** The Unix mode (type and permission bits) an entry records, or null when it records none. */
export function unixMode(entry: yauzl.Entry): number | null {
  if (!UNIX_HOSTS.has(entry.versionMadeBy >> 8)) return null
  const mode = entry.externalFileAttributes >>> 16
  return mode === 0 ? null : mode
}

export function entryType(name: string, mode: number | null, externalAttributes: number): EntryType {
  if (mode !== null && (mode & S_IFMT) !== 0) return TYPES[mode & S_IFMT] ?? 'special'
  // MS-DOS attributes: 0x10 is a directory.
  return name.endsWith('/') || name.endsWith('\\') || (externalAttributes & 0x10) !== 0 ? 'directory' : 'file'
}

/** `ls -l` style permissions, e.g. `-rwxr-xr-x`, `lrwxrwxrwx`, `-rwsr-xr-x` for setuid. */
export function modeText(mode: number | null, type: EntryType): string | null {
  if (mode === null) return null
  const kind = {file: '-', directory: 'd', symlink: 'l', special: '?'}[type]
  const bits = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((c, i) => ((mode >> (8 - i)) & 1 ? c : '-'))
  const special = (bit: number, at: number, set: string): void => {
    if (mode & bit) bits[at] = bits[at] === '-' ? set.toUpperCase() : set
  }
  special(0o4000, 2, 's')
  special(0o2000, 5, 's')
  special(0o1000, 8, 't')
  return kind + bits.join('')
}

/** What is wrong with an entry's name for extraction: each code is an anomaly of the archive. */
export function nameAnomalies(name: string): Array<{code: string; detail: string}> {
  const out: Array<{code: string; detail: string}> = []
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(name)) out.push({code: 'control-characters-in-name', detail: 'the name holds control characters (a NUL cuts it short for C tools)'})
  if (/^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) out.push({code: 'absolute-path', detail: 'an extractor that trusts the name writes outside the target folder'})
  if (name.split(/[\\/]/).includes('..')) out.push({code: 'path-traversal', detail: 'a ".." segment climbs out of the target folder when extracted'})
  if (name.includes('\\') && out.length === 0) out.push({code: 'backslash-in-name', detail: 'backslashes separate folders on Windows only; elsewhere they are part of the name'})
  return out
}

/** The path an entry would have under `root` (`/var/task`, `/opt`) when extracted, or null when its name is unsafe. */
export function installPath(root: string, name: string): string | null {
  if (nameAnomalies(name).some((a) => a.code !== 'backslash-in-name')) return null
  const clean = name.split('/').filter((s) => s !== '' && s !== '.').join('/')
  return clean === '' ? root : `${root}/${clean}`
}

const LANGUAGES: Record<string, string> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript', ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescript',
  py: 'python', pyw: 'python', pyi: 'python', pyc: 'python-bytecode', pyo: 'python-bytecode', rb: 'ruby', java: 'java', class: 'java-bytecode',
  jar: 'java-archive', kt: 'kotlin', scala: 'scala', go: 'go', rs: 'rust', cs: 'csharp', fs: 'fsharp', dll: 'dotnet-assembly', ps1: 'powershell',
  psm1: 'powershell', sh: 'shell', bash: 'shell', zsh: 'shell', php: 'php', pl: 'perl', lua: 'lua', c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', hpp: 'cpp',
  so: 'shared-object', node: 'native-addon', wasm: 'webassembly', json: 'json', yml: 'yaml', yaml: 'yaml', toml: 'toml', xml: 'xml',
  html: 'html', htm: 'html', css: 'css', md: 'markdown', txt: 'text', env: 'dotenv', cfg: 'config', ini: 'config', conf: 'config',
  map: 'source-map', pem: 'pem', key: 'pem', crt: 'pem', zip: 'zip', gz: 'gzip', tgz: 'gzip',
}
const NAMED: Record<string, string> = {bootstrap: 'bootstrap', dockerfile: 'dockerfile', makefile: 'makefile', gemfile: 'ruby', '.env': 'dotenv', '.npmrc': 'config'}

/** A file's language from its extension (or a few well-known names), or null. */
export function languageOf(name: string): string | null {
  const base = name.split(/[\\/]/).at(-1)?.toLowerCase() ?? ''
  if (base in NAMED) return NAMED[base]!
  if (/\.so(\.\d+)+$/.test(base)) return 'shared-object'
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? null : (LANGUAGES[base.slice(dot + 1)] ?? null)
}
