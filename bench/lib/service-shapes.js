// Synthetic CloudTrail records for the API calls of many AWS services, so a generated account
// mixes hundreds of event shapes as a real one does: each operation gets its own request (and,
// for most writes, response) structure, nested objects, lists of objects, numbers, booleans and
// nulls, with the same parameter name typed differently from one service to the next, as in real
// trails. The structure of an operation depends on its name only; values vary per record.
import {alnum, hash32, hex, int, pick, rng, uuid} from './rng.js'

/** Services and their operations (real API names); reads first, writes after the `|`. */
const CATALOGUE = `
ec2: DescribeInstances DescribeVolumes DescribeSnapshots DescribeImages DescribeSecurityGroups DescribeSubnets DescribeVpcs DescribeNetworkInterfaces DescribeAddresses DescribeTags DescribeInstanceStatus DescribeLaunchTemplates | RunInstances TerminateInstances StopInstances StartInstances CreateTags DeleteTags CreateVolume AttachVolume CreateSnapshot CreateLaunchTemplateVersion
s3: ListBuckets GetBucketAcl GetBucketPolicy GetBucketLocation GetBucketEncryption GetBucketTagging HeadBucket ListObjects GetObject HeadObject | PutObject DeleteObject CopyObject CreateMultipartUpload CompleteMultipartUpload PutBucketTagging PutBucketPolicy
iam: GetUser GetRole ListRoles ListUsers ListPolicies GetPolicy GetPolicyVersion ListAttachedRolePolicies ListRolePolicies GetAccountSummary ListAccessKeys SimulatePrincipalPolicy | CreateRole AttachRolePolicy PutRolePolicy TagRole UpdateAssumeRolePolicy CreatePolicyVersion
sts: GetSessionToken DecodeAuthorizationMessage AssumeRoleWithWebIdentity GetAccessKeyInfo | 
kms: Decrypt Encrypt GenerateDataKey DescribeKey ListKeys ListAliases GetKeyPolicy GenerateDataKeyWithoutPlaintext ReEncrypt | CreateKey CreateAlias ScheduleKeyDeletion EnableKeyRotation PutKeyPolicy
lambda: GetFunction20150331v2 ListFunctions20150331 GetFunctionConfiguration20150331v2 ListVersionsByFunction20150331 GetPolicy20150331v2 ListEventSourceMappings20150331 ListLayers20181031 GetAccountSettings20160819 | Invoke CreateFunction20150331 DeleteFunction20150331 PublishVersion20150331 TagResource20170331v2
logs: DescribeLogGroups DescribeLogStreams GetLogEvents FilterLogEvents StartQuery GetQueryResults DescribeMetricFilters | CreateLogGroup CreateLogStream PutRetentionPolicy PutSubscriptionFilter DeleteLogGroup
dynamodb: DescribeTable ListTables GetItem Query Scan BatchGetItem DescribeContinuousBackups DescribeTimeToLive | PutItem UpdateItem DeleteItem BatchWriteItem CreateTable UpdateTable
sqs: GetQueueAttributes ListQueues GetQueueUrl ReceiveMessage ListQueueTags | SendMessage DeleteMessage CreateQueue SetQueueAttributes PurgeQueue
sns: ListTopics GetTopicAttributes ListSubscriptionsByTopic GetSubscriptionAttributes | Publish Subscribe CreateTopic SetTopicAttributes Unsubscribe
secretsmanager: DescribeSecret ListSecrets GetResourcePolicy ListSecretVersionIds | CreateSecret PutSecretValue UpdateSecret RotateSecret TagResource
ssm: GetParameter GetParameters GetParametersByPath DescribeParameters DescribeInstanceInformation ListCommands GetCommandInvocation DescribeSessions | PutParameter DeleteParameter StartSession UpdateInstanceInformation
cloudformation: DescribeStacks ListStacks DescribeStackEvents GetTemplate DescribeStackResources ListStackResources ValidateTemplate | CreateStack UpdateStack DeleteStack CreateChangeSet ExecuteChangeSet
ecs: DescribeClusters ListClusters DescribeServices ListTasks DescribeTasks ListServices DescribeContainerInstances | UpdateService CreateService StopTask TagResource
ecr: DescribeRepositories GetAuthorizationToken BatchGetImage GetDownloadUrlForLayer DescribeImages ListImages BatchCheckLayerAvailability | PutImage InitiateLayerUpload CompleteLayerUpload CreateRepository
eks: DescribeCluster ListClusters DescribeNodegroup ListNodegroups DescribeAddon ListFargateProfiles | UpdateClusterConfig CreateNodegroup TagResource
rds: DescribeDBInstances DescribeDBClusters DescribeDBSnapshots DescribeDBParameterGroups DescribeEvents DescribeDBEngineVersions DescribePendingMaintenanceActions | CreateDBSnapshot ModifyDBParameterGroup RebootDBInstance AddTagsToResource
elasticloadbalancing: DescribeLoadBalancers DescribeTargetGroups DescribeTargetHealth DescribeListeners DescribeRules DescribeTags | RegisterTargets DeregisterTargets ModifyListener CreateRule
autoscaling: DescribeAutoScalingGroups DescribeScalingActivities DescribeLaunchConfigurations DescribePolicies | UpdateAutoScalingGroup SetDesiredCapacity PutScalingPolicy
cloudwatch: DescribeAlarms GetMetricData ListMetrics GetMetricStatistics DescribeAlarmHistory ListDashboards | PutMetricAlarm PutDashboard DeleteAlarms SetAlarmState
events: ListRules DescribeRule ListTargetsByRule DescribeEventBus ListEventBuses | PutRule PutTargets PutEvents DisableRule
states: ListStateMachines DescribeStateMachine DescribeExecution ListExecutions GetExecutionHistory | StartExecution CreateStateMachine UpdateStateMachine
apigateway: GetRestApis GetResources GetStages GetDeployments GetMethod GetAuthorizers | CreateDeployment UpdateStage PutMethod
route53: ListHostedZones ListResourceRecordSets GetHostedZone GetChange ListHealthChecks | ChangeResourceRecordSets CreateHealthCheck
cloudfront: ListDistributions GetDistribution GetDistributionConfig ListCachePolicies | CreateInvalidation UpdateDistribution
acm: ListCertificates DescribeCertificate GetCertificate | RequestCertificate AddTagsToCertificate
config: DescribeConfigRules DescribeConfigurationRecorders GetComplianceDetailsByConfigRule DescribeDeliveryChannels SelectResourceConfig | PutConfigRule PutEvaluations StartConfigRulesEvaluation
guardduty: ListDetectors GetDetector ListFindings GetFindings ListFilters | ArchiveFindings CreateFilter UpdateFindingsFeedback
securityhub: GetFindings DescribeHub GetEnabledStandards DescribeStandardsControls | BatchImportFindings EnableImportFindingsForProduct
organizations: DescribeOrganization ListAccounts ListRoots DescribeAccount ListOrganizationalUnitsForParent ListPoliciesForTarget | TagResource
sso: ListInstances ListPermissionSets DescribePermissionSet ListAccountAssignments | CreateAccountAssignment
athena: GetQueryExecution GetQueryResults ListWorkGroups GetWorkGroup ListNamedQueries BatchGetQueryExecution | StartQueryExecution StopQueryExecution
glue: GetDatabases GetTables GetTable GetPartitions GetJobRuns GetCrawlers GetJob | StartJobRun CreateTable BatchCreatePartition UpdateTable StartCrawler
kinesis: DescribeStream ListStreams GetShardIterator GetRecords ListShards DescribeStreamSummary | PutRecord PutRecords CreateStream
firehose: DescribeDeliveryStream ListDeliveryStreams | PutRecordBatch UpdateDestination
elasticache: DescribeCacheClusters DescribeReplicationGroups DescribeCacheParameters DescribeSnapshots | ModifyReplicationGroup CreateSnapshot
es: DescribeElasticsearchDomain ListDomainNames DescribeDomain GetCompatibleVersions | UpdateDomainConfig
redshift: DescribeClusters DescribeClusterSnapshots DescribeLoggingStatus GetClusterCredentials | ModifyCluster CreateClusterSnapshot
sagemaker: ListNotebookInstances DescribeNotebookInstance ListTrainingJobs DescribeEndpoint ListModels | CreateTrainingJob InvokeEndpoint CreatePresignedNotebookInstanceUrl
bedrock: ListFoundationModels GetFoundationModel ListGuardrails GetGuardrail ListCustomModels | InvokeModel Converse CreateGuardrail
codebuild: BatchGetProjects ListProjects BatchGetBuilds ListBuildsForProject | StartBuild UpdateProject
codepipeline: GetPipeline ListPipelines GetPipelineState ListPipelineExecutions | StartPipelineExecution PutJobSuccessResult
codecommit: GetRepository ListRepositories GetBranch GetDifferences | CreateCommit MergePullRequestByFastForward
backup: ListBackupPlans ListBackupJobs DescribeBackupVault ListRecoveryPointsByBackupVault | StartBackupJob CreateBackupPlan
health: DescribeEvents DescribeEventDetails DescribeAffectedEntities | 
trustedadvisor: DescribeChecks DescribeCheckSummaries DescribeTrustedAdvisorCheckResult | RefreshCheck
ce: GetCostAndUsage GetCostForecast GetDimensionValues | 
servicecatalog: SearchProducts DescribeProduct ListPortfolios | ProvisionProduct
tagging: GetResources GetTagKeys GetTagValues | TagResources
xray: GetTraceSummaries BatchGetTraces GetServiceGraph | PutTraceSegments PutTelemetryRecords
appsync: ListGraphqlApis GetGraphqlApi ListDataSources | UpdateResolver
cognito-idp: DescribeUserPool ListUserPools ListUsers AdminGetUser DescribeUserPoolClient | AdminCreateUser AdminUpdateUserAttributes InitiateAuth
`

const WORDS = ['prod', 'staging', 'billing', 'orders', 'payments', 'api', 'web', 'data', 'etl', 'reports', 'users', 'auth', 'search', 'cache', 'queue', 'events', 'audit', 'backup', 'ml', 'infra']
const FIELDS = [
  'name', 'description', 'arn', 'resourceArn', 'id', 'filter', 'filters', 'filterSet', 'maxResults', 'maxItems', 'limit', 'nextToken', 'marker',
  'tags', 'tagSet', 'tagSpecificationSet', 'attributes', 'attributeNames', 'enabled', 'includeDeleted', 'dryRun', 'startTime', 'endTime',
  'state', 'status', 'type', 'configuration', 'settings', 'options', 'parameters', 'encryptionContext', 'keyId', 'roleArn', 'policy',
  'policyDocument', 'subnetIds', 'securityGroupIds', 'vpcConfig', 'clientToken', 'version', 'versionId', 'region', 'accountId', 'path',
  'input', 'payload', 'expression', 'query', 'queryString', 'sortBy', 'sortOrder', 'count', 'size', 'capacity', 'retentionInDays', 'kmsKeyId',
  'instanceType', 'imageId', 'instancesSet', 'volumeSize', 'iops', 'throughput', 'engine', 'engineVersion', 'multiAZ', 'port', 'protocol',
]

/** Turns `fieldName` into a value generator of a type chosen from the operation's own random draw. */
function makeSchema(r, depth) {
  const n = 1 + int(r, depth === 0 ? 7 : 4)
  const fields = []
  for (let i = 0; i < n; i++) {
    const name = pick(r, FIELDS)
    if (fields.some((f) => f.name === name)) continue
    fields.push({name, value: makeValue(r, depth)})
  }
  return (g) => {
    const o = {}
    for (const f of fields) if (g() > 0.08) o[f.name] = f.value(g)
    return o
  }
}

function makeValue(r, depth) {
  const kinds = depth >= 2 ? 8 : 11
  switch (int(r, kinds)) {
    case 0:
      return (g) => `${pick(g, WORDS)}-${pick(g, WORDS)}-${int(g, 100)}`
    case 1:
      return (g) => `${pick(g, ['i', 'vol', 'snap', 'sg', 'subnet', 'ami'])}-${hex(g, 17)}`
    case 2:
      return (g) => int(g, 1000)
    case 3:
      return (g) => g() < 0.5
    case 4:
      return () => null
    case 5:
      return (g) => `arn:aws:${pick(g, ['iam', 's3', 'lambda', 'sqs', 'kms'])}::111122223333:${pick(g, WORDS)}/${alnum(g, 8).toLowerCase()}`
    case 6:
      return (g) => new Date(Date.UTC(2026, 10, 1 + int(g, 28), int(g, 24), int(g, 60))).toISOString()
    case 7:
      return (g) => Array.from({length: int(g, 5)}, () => `${pick(g, WORDS)}-${int(g, 50)}`)
    case 8: {
      const item = makeSchema(r, depth + 1)
      return (g) => Array.from({length: int(g, 4)}, () => item(g))
    }
    case 9: {
      const inner = makeSchema(r, depth + 1)
      return (g) => inner(g)
    }
    default: {
      const items = makeSchema(r, depth + 1)
      return (g) => ({items: Array.from({length: 1 + int(g, 3)}, () => items(g))})
    }
  }
}

const READ = /^(Describe|List|Get|Head|Batch(Get|Check)|Search|Select|Query|Scan|Lookup|Validate|Decode|Simulate|Decrypt|Encrypt|Generate|ReEncrypt|Filter|Receive)/

/**
 * Every operation of the catalogue with its record maker: `{source, name, readOnly, make(g)}`.
 * `make` returns the service-specific part of a record (request, response, resources, category).
 */
export function serviceOperations(exclude = new Set()) {
  const out = []
  for (const line of CATALOGUE.trim().split('\n')) {
    const [service, rest] = line.split(':')
    const [reads, writes] = rest.split('|').map((s) => s.trim().split(/\s+/).filter(Boolean))
    for (const name of [...reads, ...writes]) {
      if (exclude.has(name.replace(/20\d{6}(v\d+)?$/, '').toLowerCase())) continue
      const r = rng(hash32(`${service}:${name}`))
      const readOnly = READ.test(name)
      const request = int(r, 10) === 0 ? () => null : makeSchema(r, 0)
      const response = readOnly ? (int(r, 5) === 0 ? makeSchema(r, 0) : undefined) : int(r, 6) === 0 ? undefined : makeSchema(r, 0)
      const data = /^(GetObject|PutObject|HeadObject|DeleteObject|CopyObject|GetItem|PutItem|Query|Scan|UpdateItem|DeleteItem|Invoke|SendMessage|ReceiveMessage|DeleteMessage|Publish|PutRecords?|GetRecords|InvokeModel|Converse)$/.test(name)
      const withResources = int(r, 3) === 0
      out.push({
        source: `${service}.amazonaws.com`,
        name,
        readOnly,
        make(g) {
          const part = {requestParameters: request(g), responseElements: response ? response(g) : null}
          if (withResources) part.resources = [{accountId: '111122223333', type: `AWS::${service.toUpperCase()}::Resource`, ARN: `arn:aws:${service}:us-east-1:111122223333:${pick(g, WORDS)}/${uuid(g)}`}]
          if (data) Object.assign(part, {managementEvent: false, eventCategory: 'Data'})
          return part
        },
      })
    }
  }
  return out
}
