import {readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parse as parseYaml} from 'yaml'
import {usageError} from '../core/errors.js'
import {LocalDirectoryStore} from './stores/local.js'
import {checkLocalStoreRoot} from './stores/local-root.js'
import type {EvidenceStore} from './store.js'
import type {StoreWriteOptions} from './stores/s3/open.js'
import type {AwsClientFactory} from '../aws/client-factory.js'

export type {StoreWriteOptions} from './stores/s3/open.js'

export const DEFAULT_STORE = './coroner-cases'

/** Settings read from `./coroner.yaml` or `~/.config/coroner/config.yaml`, the first that exists. */
export interface CoronerConfig {
  store?: string
  region?: string
  profile?: string
  kmsKey?: string
  file?: string
}

export function loadConfig(cwd = process.cwd()): CoronerConfig {
  const candidates = [
    process.env.CORONER_CONFIG,
    path.join(cwd, 'coroner.yaml'),
    path.join(os.homedir(), '.config', 'coroner', 'config.yaml'),
  ].filter((p): p is string => typeof p === 'string' && p !== '')
  for (const file of candidates) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    let data: unknown
    try {
      data = parseYaml(text)
    } catch (error) {
      throw usageError('invalid-config', `Config file ${file} is not valid YAML: ${(error as Error).message}`, 'Fix the YAML or remove the file.')
    }
    if (data === null || data === undefined) return {file}
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw usageError('invalid-config', `Config file ${file} must hold a mapping (store:, region:, profile:, kmsKey:).`)
    }
    const d = data as Record<string, unknown>
    const out: CoronerConfig = {file}
    for (const k of ['store', 'region', 'profile', 'kmsKey'] as const) {
      const v = d[k]
      if (v === undefined) continue
      if (typeof v !== 'string') throw usageError('invalid-config', `Config file ${file}: ${k} must be a string.`)
      out[k] = v
    }
    return out
  }
  return {}
}

/** Where evidence goes: the flag, then $CORONER_STORE, then the config file, then ./coroner-cases. */
export function resolveStoreLocation(flag: string | undefined, config: CoronerConfig): string {
  return flag ?? process.env.CORONER_STORE ?? config.store ?? DEFAULT_STORE
}

/** Opens the store named by a location: `s3://bucket/prefix`, `file:///dir` or a plain path. */
export async function openStore(location: string, deps: {aws?: AwsClientFactory} & StoreWriteOptions = {}): Promise<EvidenceStore> {
  if (location.startsWith('s3://')) {
    const {openS3Store} = await import('./stores/s3/open.js')
    return openS3Store(location, deps)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    throw usageError('unknown-store', `Unknown evidence store ${JSON.stringify(location)}.`, 'Use a directory path or s3://bucket/prefix.')
  }
  const dir = location.startsWith('file://') ? new URL(location).pathname : location
  await checkLocalStoreRoot(dir)
  return new LocalDirectoryStore(dir)
}
