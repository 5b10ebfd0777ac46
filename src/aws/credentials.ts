import {readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {CoronerError} from '../core/errors.js'

/** Names the SDK gives an answer that says the credentials themselves are missing, unknown or expired. */
const CREDENTIAL_ERRORS = /^(CredentialsProviderError|TokenProviderError|UnrecognizedClientException|InvalidClientTokenId|ExpiredToken(Exception)?|InvalidAccessKeyId|SignatureDoesNotMatch|AuthFailure)$/

/** The profile the SDK reads: --profile, then AWS_PROFILE; undefined for the default chain. */
export const profileInUse = (flag: string | undefined): string | undefined => flag ?? (process.env.AWS_PROFILE || undefined)

/** Whether `profile` is a section of the AWS CLI's config or credentials file (where the SDK looks). */
function profileDefined(profile: string): boolean {
  const home = os.homedir()
  const files = [process.env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'), process.env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials')]
  const wanted = new Set([`[${profile}]`, `[profile ${profile}]`])
  return files.some((file) => {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/).some((line) => wanted.has(line.trim().replace(/\s+/g, ' ')))
    } catch {
      return false
    }
  })
}

/**
 * The error a run stops with when the credentials cannot be had or are refused before anything is
 * collected (exit 5, the profile and the fix named); undefined when `error` says nothing of them.
 */
export function credentialsError(error: unknown, profile: string | undefined): CoronerError | undefined {
  const e = error as {name?: unknown; message?: unknown} | null
  const name = typeof e?.name === 'string' ? e.name : ''
  if (!CREDENTIAL_ERRORS.test(name)) return undefined
  const said = typeof e?.message === 'string' ? e.message : ''
  const which = profile === undefined ? 'the default credentials' : `profile ${profile}`
  const fail = (message: string, hint: string) => new CoronerError('aws-credentials', message, {hint, cause: error})
  if (/\bsso\b/i.test(said) || name === 'TokenProviderError') {
    return fail(`The SSO session of ${which} has expired or was never started: ${said}`, `Run \`aws sso login${profile === undefined ? '' : ` --profile ${profile}`}\` and try again.`)
  }
  if (profile !== undefined && !profileDefined(profile)) {
    return fail(`Profile ${profile} is in neither the AWS config file nor the credentials file.`, `Check the spelling (\`aws configure list-profiles\`), or create it with \`aws configure --profile ${profile}\`.`)
  }
  if (name === 'CredentialsProviderError') {
    return fail(`No AWS credentials could be loaded for ${which}: ${said}`, profile === undefined ? 'Run `aws configure` (or `aws sso login`), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile.' : `Run \`aws configure --profile ${profile}\` (or \`aws sso login --profile ${profile}\` for an SSO profile).`)
  }
  return fail(`AWS refused the credentials of ${which} (${name}): they are unknown, expired or mistyped.`, `Refresh them: \`aws sso login${profile === undefined ? '' : ` --profile ${profile}`}\` for SSO, new keys with \`aws configure${profile === undefined ? '' : ` --profile ${profile}`}\`, or a new session token.`)
}
