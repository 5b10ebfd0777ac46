// The callers of a generated account: IAM users, roles assumed by people, CI and services, AWS
// services themselves, a federated user and a partner account, each with the user agents it uses.
// Never root: in the generated account only the attack uses it.
import {alnum, int, pick, rng} from './rng.js'

export const ACCOUNT = '111122223333'

const USER_AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls',
  'aws-cli/1.32.50 md/Botocore#1.34.50 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.50',
  'aws-sdk-js/3.540.0 ua/2.1 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/s3#3.540.0',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0',
  'aws-sdk-go/1.51.11 (go1.22.1; linux; amd64)',
  'aws-internal/3 aws-sdk-java/1.12.683 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'console.amazonaws.com',
  'AWS Internal',
]

const SERVICES = ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'cloudformation.amazonaws.com', 'autoscaling.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'config.amazonaws.com', 'ssm.amazonaws.com', 'backup.amazonaws.com', 'access-analyzer.amazonaws.com', 'securityhub.amazonaws.com']

function assumedRole(r, role, session, mfa) {
  const roleId = `AROA${alnum(r, 17)}`
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: `ASIA${alnum(r, 16)}`,
    sessionContext: {
      sessionIssuer: {type: 'Role', principalId: roleId, arn: `arn:aws:iam::${ACCOUNT}:role/${role.startsWith('AWSReservedSSO') ? `aws-reserved/sso.amazonaws.com/${role}` : role}`, accountId: ACCOUNT, userName: role},
      webIdFederationData: {},
      attributes: {creationDate: '2026-11-01T08:00:00Z', mfaAuthenticated: mfa ? 'true' : 'false'},
    },
  }
}

/**
 * The principals of the account, most active first (a generated event picks one with a Zipf-like
 * weight): `{identity, agents, service?}` where `service` is the AWS service acting, whose name
 * CloudTrail records as the source address.
 */
export function principals(seed = 7) {
  const r = rng(seed)
  const out = []
  const roles = ['app-prod-ecs-task', 'payments-api-exec', 'orders-worker-exec', 'ci-deploy', 'terraform-apply', 'data-pipeline', 'monitoring-readonly', 'backup-operator', 'AWSReservedSSO_AdministratorAccess_5f1c2d3e4a5b6c7d', 'AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6a7b', 'eks-node-group', 'batch-job-runner']
  for (const role of roles) {
    for (let s = 0; s < 3; s++) {
      const session = role.startsWith('AWSReserved') ? `${pick(r, ['alice', 'bob', 'carol', 'dan'])}@example.com` : s === 0 ? `i-${alnum(r, 17).toLowerCase()}` : `${role}-${int(r, 1e9)}`
      out.push({identity: assumedRole(r, role, session, role.startsWith('AWSReserved')), agents: [pick(r, USER_AGENTS), pick(r, USER_AGENTS)]})
    }
  }
  for (const user of ['deploy-bot', 'alice', 'bob', 'legacy-integration', 'reporting', 'carol', 'backup-sync']) {
    out.push({identity: {type: 'IAMUser', principalId: `AIDA${alnum(r, 17)}`, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, accountId: ACCOUNT, accessKeyId: `AKIA${alnum(r, 16)}`, userName: user}, agents: [pick(r, USER_AGENTS), pick(r, USER_AGENTS)]})
  }
  for (const service of SERVICES) out.push({identity: {type: 'AWSService', invokedBy: service}, agents: [service], service})
  out.push({identity: {type: 'FederatedUser', principalId: `${ACCOUNT}:okta-admin`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/okta-admin`, accountId: ACCOUNT, accessKeyId: `ASIA${alnum(r, 16)}`}, agents: [USER_AGENTS[7]]})
  out.push({identity: {type: 'AWSAccount', principalId: 'AIDAEXAMPLEPARTNER', accountId: '444455556666'}, agents: [USER_AGENTS[2]]})
  // Shuffle so that no kind of principal is always the busiest.
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(r, i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out.map((p, rank) => ({...p, weight: 1 / (rank + 2)}))
}
