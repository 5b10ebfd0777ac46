import {readFile, readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {CoronerError} from '../../core/errors.js'
import {tryCompileRule} from './compile.js'
import {parseSigmaRule} from './parse.js'
import type {CompiledRule, RuleIssue, UnsupportedRule} from './rule.js'

/** The rules shipped in the package under queries/sigma: coroner's own (coroner/) and SigmaHQ's CloudTrail rules (sigmahq/, DRL 1.1). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../../queries/sigma', import.meta.url))

export interface RuleSet {
  compiled: CompiledRule[]
  unsupported: UnsupportedRule[]
  /** Everything found in the files, errors and warnings, in `file:line:col` order. */
  issues: RuleIssue[]
  files: number
}

/** Lists the `.yml` / `.yaml` files under each path (a file or a directory, searched recursively), sorted. */
export async function findRuleFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  const walk = async (p: string): Promise<void> => {
    const entries = await readdir(p, {withFileTypes: true})
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(p, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(full)
    }
  }
  for (const p of paths) {
    const s = await stat(p).catch((error: unknown) => {
      throw new CoronerError('rules-not-found', `cannot read the rules at '${p}': ${(error as Error).message}`, {hint: 'Pass a Sigma rule file or a directory of them to --rules.', cause: error})
    })
    if (s.isDirectory()) await walk(p)
    else out.push(p)
  }
  return out
}

/**
 * Reads, parses and compiles every rule under the given paths. Broken files become error issues,
 * rules coroner cannot run become `unsupported` entries (and warnings); nothing is thrown for them.
 */
export async function loadRules(paths: readonly string[]): Promise<RuleSet> {
  const files = await findRuleFiles(paths)
  const set: RuleSet = {compiled: [], unsupported: [], issues: [], files: files.length}
  for (const file of files) {
    const {rule, issues} = parseSigmaRule(await readFile(file, 'utf8'), file)
    set.issues.push(...issues)
    if (rule === undefined) continue
    const result = tryCompileRule(rule)
    if ('compiled' in result) {
      set.compiled.push(result.compiled)
    } else {
      const u = result.unsupported
      set.unsupported.push(u)
      set.issues.push({file, line: u.line, col: u.col, severity: u.severity, code: u.code, message: u.message})
    }
  }
  return set
}

/** One issue as `file:line:col  severity  code  message`. */
