import {Flags} from '@oclif/core'

/** What verify checks beyond the store itself, for every command that verifies a case (evidence verify, load). */
export const verifyFlags = {
  expect: Flags.string({description: 'The case head recorded outside the store (e.g. 3:9f86d081884c7d659a2feaa0c55ad015, printed at the end of every run), or a manifest SHA-256: fail when runs were removed or replaced since'}),
  'public-key': Flags.string({description: 'Public key (PEM or DER) that every signed manifest must verify with: the key you hold, not the one stored beside the signatures'}),
}

/** The verify step parameters of those flags. */
export const verifyParamsOf = (flags: {expect?: string | undefined; 'public-key'?: string | undefined}): {expect?: string; publicKey?: string} => ({
  ...(flags.expect === undefined ? {} : {expect: flags.expect}),
  ...(flags['public-key'] === undefined ? {} : {publicKey: flags['public-key']}),
})
