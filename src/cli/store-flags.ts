import {Flags} from '@oclif/core'

/**
 * Flags of commands that write evidence, for how an S3 store writes. The base command's context()
 * hands them to openStore; a local directory store ignores them.
 */
export const storeWriteFlags = {
  'allow-unlocked': Flags.boolean({
    description: 'Write into an S3 bucket without Object Lock (recorded in the manifest; verify warns).',
    helpGroup: 'STORE',
    default: false,
  }),
  'legal-hold': Flags.boolean({description: 'Place a legal hold on every evidence object written to S3.', helpGroup: 'STORE', default: false}),
  'kms-key': Flags.string({description: 'KMS key (id, alias or ARN) for SSE-KMS on S3 evidence objects. Default: kmsKey in coroner.yaml.', helpGroup: 'STORE'}),
  'lock-mode': Flags.string({description: "Object Lock mode for new objects. Default: the bucket's default retention.", options: ['COMPLIANCE', 'GOVERNANCE'], helpGroup: 'STORE'}),
  'retain-days': Flags.integer({description: "Days each new object is locked. Default: the bucket's default retention.", min: 1, helpGroup: 'STORE'}),
  'sign-kms-key': Flags.string({description: 'Sign every manifest with this AWS KMS asymmetric key (SIGN_VERIFY; the key never leaves KMS). Default: signKmsKey in coroner.yaml.', helpGroup: 'STORE'}),
  'sign-key': Flags.string({description: 'Sign every manifest with this Ed25519 private key file (PKCS#8 PEM). Default: signKey in coroner.yaml.', helpGroup: 'STORE'}),
}
