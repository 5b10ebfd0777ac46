/**
 * Where a file of a code package or a layer lands in the execution environment, and which module
 * a runtime would load from it. Lambda extracts a function's package to /var/task and its layers,
 * in order, to /opt; the runtimes then search (per AWS's documentation of layer paths):
 *
 * - Node.js: `NODE_PATH=/opt/nodejs/node<major>/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`,
 *   after the `node_modules` folders above the requiring file (so /var/task/node_modules first for
 *   the handler). The runtime's AWS SDK lives in /var/runtime/node_modules: a layer's copy wins.
 * - Python: `sys.path` starts `/var/task`, `/opt/python/lib/python3.x/site-packages`, `/opt/python`,
 *   then the runtime (/var/runtime, /var/lang/lib/python3.x and its site-packages, where boto3 is)
 *   and the standard library: a layer's module shadows both.
 * - Ruby: `GEM_PATH` holds /opt/ruby/gems/<version>, `RUBYLIB` /opt/ruby/lib; Java: /opt/java/lib
 *   on the class path; every runtime: /opt/bin on `PATH`, /opt/lib on `LD_LIBRARY_PATH`, and each
 *   executable in /opt/extensions started as an extension process beside the function.
 */
export interface ModulePlace {
  /** The search-path folder the file is found under, e.g. `/opt/nodejs/node_modules`; null when no runtime searches there. */
  searchRoot: string | null
  /** The name an import or require finds it by (`@aws-sdk/client-s3`, `boto3`, an extension's name). */
  module: string | null
}

const NONE: ModulePlace = {searchRoot: null, module: null}

/** A Node.js package name at the start of `rest` (`@scope/name` or `name`), or null. */
function nodePackage(rest: string): string | null {
  const [first, second] = rest.split('/')
  if (first === undefined || first === '' || first === '.bin') return null
  if (first.startsWith('@')) return second === undefined || second === '' ? null : `${first}/${second}`
  return first.replace(/\.(c|m)?js$|\.json$|\.node$/, '')
}

/** A Python module name from the first segment under a search root, or null for metadata and caches. */
function pythonModule(rest: string): string | null {
  const first = rest.split('/')[0] ?? ''
  if (first === '' || first === '__pycache__' || /\.(dist-info|egg-info|data)$/.test(first)) return null
  if (!rest.includes('/')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z0-9_-]+)*\.(py|pyc|so|pth)$/.exec(first)
    return m ? (m[2] === 'pth' ? first : m[1]!) : null
  }
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(first) ? first : null
}

/** Where a file of a function's own package is searched from (`/var/task`). */
export function functionModule(name: string): ModulePlace {
  const m = /^node_modules\/(.+)$/.exec(name)
  if (m) return {searchRoot: '/var/task/node_modules', module: nodePackage(m[1]!)}
  const first = name.split('/')[0] ?? ''
  if (first === '' || name.startsWith('.')) return NONE
  const module = name.includes('/') ? first : first.replace(/\.[^.]+$/, '')
  return {searchRoot: '/var/task', module: module === '' ? null : module}
}

const LAYER_ROOTS: Array<{pattern: RegExp; root: (m: RegExpExecArray) => string; module: (rest: string) => string | null}> = [
  {pattern: /^nodejs\/(node\d+\/)?node_modules\/(.+)$/, root: (m) => `/opt/nodejs/${m[1] ?? ''}node_modules`, module: nodePackage},
  {pattern: /^python\/lib\/(python3\.\d+)\/site-packages\/(.+)$/, root: (m) => `/opt/python/lib/${m[1]}/site-packages`, module: pythonModule},
  {pattern: /^python\/()(.+)$/, root: () => '/opt/python', module: (rest) => (rest.startsWith('lib/python') ? null : pythonModule(rest))},
  {pattern: /^ruby\/gems\/([^/]+)\/gems\/(.+)$/, root: (m) => `/opt/ruby/gems/${m[1]}`, module: (rest) => /^(.+?)-\d[^/]*\//.exec(rest)?.[1] ?? null},
  {pattern: /^ruby\/lib\/()(.+)$/, root: () => '/opt/ruby/lib', module: (rest) => rest.split('/')[0]!.replace(/\.rb$/, '')},
  {pattern: /^java\/lib\/()(.+)$/, root: () => '/opt/java/lib', module: (rest) => rest.split('/')[0]!},
  {pattern: /^extensions\/()([^/]+)$/, root: () => '/opt/extensions', module: (rest) => rest},
  {pattern: /^bin\/()([^/]+)$/, root: () => '/opt/bin', module: (rest) => rest},
  {pattern: /^lib\/()([^/]+)$/, root: () => '/opt/lib', module: (rest) => rest},
]

/** Where a file of a layer is searched from under /opt, and the module it provides. */
export function layerModule(name: string): ModulePlace {
  if (name === 'bootstrap') return {searchRoot: '/opt', module: 'bootstrap'}
  for (const r of LAYER_ROOTS) {
    const m = r.pattern.exec(name)
    if (m) return {searchRoot: r.root(m), module: r.module(m[2]!)}
  }
  return NONE
}
