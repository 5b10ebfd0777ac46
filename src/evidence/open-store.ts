import {readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parse as parseYaml} from 'yaml'
import {usageError} from '../core/errors.js'
import {LocalDirectoryStore} from './stores/local.js'
import {signerFromKeyFile, type ManifestSigner} from './signing.js'
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
  /** Sign every manifest with this AWS KMS asymmetric key (the store's signing, turned on in its config). */
  signKmsKey?: string
  /** Sign every manifest with this Ed25519 private key file (PKCS#8 PEM). */
  signKey?: string
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
      throw usageError('invalid-config', `Config file ${file} must hold a mapping (store:, region:, profile:, kmsKey:, signKmsKey:, signKey:).`)
    }
    const d = data as Record<string, unknown>
    const out: CoronerConfig = {file}
    for (const k of ['store', 'region', 'profile', 'kmsKey', 'signKmsKey', 'signKey'] as const) {
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

/** How the manifests of a store are signed: a KMS asymmetric key, or a local Ed25519 key file; at most one. */
export interface SigningChoice {
  signKmsKey?: string
  signKey?: string
}

/** The signer of a signing choice, or undefined when the store does not sign. */
export async function manifestSigner(choice: SigningChoice, aws: AwsClientFactory | undefined): Promise<ManifestSigner | undefined> {
  if (choice.signKmsKey !== undefined && choice.signKey !== undefined) throw usageError('invalid-flag', 'Sign with one key: --sign-kms-key or --sign-key, not both.')
  if (choice.signKey !== undefined) return signerFromKeyFile(choice.signKey)
  if (choice.signKmsKey === undefined) return undefined
  const {kmsSigner} = await import('../aws/kms-signer.js')
  const {AwsClientFactory: Factory} = await import('../aws/client-factory.js')
  return kmsSigner(aws ?? new Factory(), choice.signKmsKey)
}

/** Opens the store named by a location: `s3://bucket/prefix`, `file:///dir` or a plain path. */
export async function openStore(location: string, deps: {aws?: AwsClientFactory} & StoreWriteOptions & SigningChoice = {}): Promise<EvidenceStore> {
  const {signKmsKey, signKey, ...rest} = deps
  const signer = await manifestSigner({...(signKmsKey === undefined ? {} : {signKmsKey}), ...(signKey === undefined ? {} : {signKey})}, deps.aws)
  if (location.startsWith('s3://')) {
    const {openS3Store} = await import('./stores/s3/open.js')
    return openS3Store(location, {...rest, ...(signer === undefined ? {} : {signer})})
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    throw usageError('unknown-store', `Unknown evidence store ${JSON.stringify(location)}.`, 'Use a directory path or s3://bucket/prefix.')
  }
  const dir = location.startsWith('file://') ? new URL(location).pathname : location
  await checkLocalStoreRoot(dir)
  return new LocalDirectoryStore(dir, signer === undefined ? {} : {signer})
}
