import {readFileSync} from 'node:fs'
import {z} from 'zod'
import {usageError} from '../../core/errors.js'

/** What verify checks beyond the store itself, shared by every step that verifies (verify, load): the head and the public key held outside it. */
export const verifyParams = {
  expect: z.string().min(1).optional().describe('The case head recorded outside the store (printed at the end of every run): fail when runs were removed or replaced since'),
  publicKey: z.string().min(1).optional().describe('Public key file (PEM or DER) every signed manifest must verify with'),
}

/** The bytes of a --public-key file; the key itself is parsed (and named when it is none) by the verifier. */
export function readPublicKey(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined
  try {
    return readFileSync(file)
  } catch (error) {
    throw usageError('file-not-found', `Cannot read the public key file ${file}: ${(error as Error).message}`, 'Give the path of the PEM or DER public key of the signing key.')
  }
}
