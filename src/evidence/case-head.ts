import {usageError} from '../core/errors.js'

/** Hex digits of the manifest SHA-256 a printed head keeps: 128 bits, short to copy, far beyond a forger's reach. */
const HEAD_HEX = 32

/**
 * The head of a case: how many runs it holds up to its latest sealed one, and that run's manifest
 * SHA-256. Every run prints it at its end; recorded outside the store (an incident ticket), it is
 * what `evidence verify --expect` checks, so a removed or replaced run cannot go unseen.
 */
export interface CaseHead {
  runs: number
  runId: string
  manifestSha256: string
  /** `<runs>:<first 32 hex digits of the manifest SHA-256>`, e.g. `3:9f86d081884c7d659a2feaa0c55ad015`. */
  text: string
}

export const formatHead = (runs: number, manifestSha256: string): string => `${runs}:${manifestSha256.slice(0, HEAD_HEX)}`

/** A head as given with --expect: a printed head, or a bare manifest SHA-256 (what runs printed before heads). */
export interface ExpectedHead {
  runs?: number
  sha256Prefix: string
  text: string
}

export function parseHead(text: string): ExpectedHead {
  const t = text.trim().toLowerCase()
  const printed = /^(\d{1,9}):([0-9a-f]{32,64})$/.exec(t)
  if (printed) return {runs: Number(printed[1]), sha256Prefix: printed[2]!, text: t}
  if (/^[0-9a-f]{64}$/.test(t)) return {sha256Prefix: t, text: t}
  throw usageError('invalid-head', `${JSON.stringify(text)} is not a case head.`, 'Give the head a run printed at its end (e.g. 3:9f86d081884c7d659a2feaa0c55ad015), or a manifest SHA-256.')
}
