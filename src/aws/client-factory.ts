import {TOOL} from '../core/version.js'

/** How the responder reaches AWS, as given on the command line (AWS CLI conventions). */
export interface AwsOptions {
  profile?: string
  region?: string
  endpointUrl?: string
  caseId?: string
  /** Attempts per call, including the first; tests set 1 so failures are fast. */
  maxAttempts?: number
  credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}
}

// Every v3 client constructor has this shape; the factory needs nothing more of it.
type ClientConstructor<C> = new (config: Record<string, unknown>) => C

interface Destroyable {
  destroy(): void
}

/**
 * The one place AWS clients are made. Every client gets the responder's profile, region and
 * endpoint, standard retries and a user agent that names coroner, its version and the case, so
 * the responder's own calls stand out in the victim account's CloudTrail.
 */
export class AwsClientFactory {
  readonly options: Readonly<AwsOptions>
  private readonly cache = new Map<string, unknown>()

  constructor(options: AwsOptions = {}) {
    this.options = {...options}
  }

  /** The region used when a call names none: the flag, then the SDK's environment, then us-east-1. */
  get defaultRegion(): string {
    return this.options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
  }

  /** Client configuration for `region`; exposed so callers such as lib-storage can reuse it. */
  config(region?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const o = this.options
    const userAgent: Array<[string, string] | [string]> = [[TOOL.name, TOOL.version]]
    if (o.caseId !== undefined) userAgent.push([`case/${o.caseId}`])
    const config: Record<string, unknown> = {
      region: region ?? this.defaultRegion,
      retryMode: 'standard',
      customUserAgent: userAgent,
      ...extra,
    }
    if (o.profile !== undefined) config.profile = o.profile
    if (o.maxAttempts !== undefined) config.maxAttempts = o.maxAttempts
    if (o.credentials !== undefined) config.credentials = o.credentials
    if (o.endpointUrl !== undefined) {
      config.endpoint = o.endpointUrl
      config.forcePathStyle = true
    }
    return config
  }

  /** A client of the given class for `region`, made once and then shared. */
  client<C>(ctor: ClientConstructor<C>, region?: string): C {
    const key = `${ctor.name}/${region ?? this.defaultRegion}`
    let c = this.cache.get(key) as C | undefined
    if (c === undefined) {
      c = new ctor(this.config(region))
      this.cache.set(key, c)
    }
    return c
  }

  /** Closes every client's sockets so the process can exit promptly. */
  destroy(): void {
    for (const c of this.cache.values()) (c as Destroyable).destroy()
    this.cache.clear()
  }
}
