/**
 * Lambda's managed runtimes and the date each is (or was) deprecated: from then on AWS applies no
 * security patches to it. Transcribed from AWS's page "Lambda runtimes" (the supported and the
 * deprecated runtimes tables); AWS moves these dates now and then, so the table carries the date
 * it was transcribed and the audit says when it is getting old. Update both together.
 */
export const RUNTIME_TABLE = {
  source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html',
  transcribed: '2026-12-01',
  /** identifier → [name, deprecation date (UTC)] */
  runtimes: {
    'nodejs24.x': ['Node.js 24', '2028-04-30'],
    'nodejs22.x': ['Node.js 22', '2027-04-30'],
    'nodejs20.x': ['Node.js 20', '2026-04-30'],
    'python3.14': ['Python 3.14', '2029-06-30'],
    'python3.13': ['Python 3.13', '2029-06-30'],
    'python3.12': ['Python 3.12', '2028-10-31'],
    'python3.11': ['Python 3.11', '2026-06-30'],
    'python3.10': ['Python 3.10', '2026-06-30'],
    java25: ['Java 25', '2029-06-30'],
    java21: ['Java 21', '2029-06-30'],
    java17: ['Java 17', '2026-06-30'],
    java11: ['Java 11', '2026-06-30'],
    'java8.al2': ['Java 8 (Amazon Linux 2)', '2026-06-30'],
    dotnet10: ['.NET 10', '2028-11-14'],
    dotnet8: ['.NET 8', '2026-11-10'],
    'ruby3.4': ['Ruby 3.4', '2028-03-31'],
    'ruby3.3': ['Ruby 3.3', '2027-03-31'],
    'ruby3.2': ['Ruby 3.2', '2026-03-31'],
    'provided.al2023': ['OS-only runtime (Amazon Linux 2023)', '2029-06-30'],
    'provided.al2': ['OS-only runtime (Amazon Linux 2)', '2026-06-30'],
    // Deprecated before the table was transcribed.
    'python3.9': ['Python 3.9', '2025-12-15'],
    'nodejs18.x': ['Node.js 18', '2025-09-01'],
    dotnet6: ['.NET 6', '2024-12-20'],
    'python3.8': ['Python 3.8', '2024-10-14'],
    'nodejs16.x': ['Node.js 16', '2024-06-12'],
    dotnet7: ['.NET 7', '2024-05-14'],
    java8: ['Java 8 (Amazon Linux 1)', '2024-01-08'],
    'go1.x': ['Go 1.x', '2024-01-08'],
    provided: ['OS-only runtime (Amazon Linux 1)', '2024-01-08'],
    'ruby2.7': ['Ruby 2.7', '2023-12-07'],
    'nodejs14.x': ['Node.js 14', '2023-12-04'],
    'python3.7': ['Python 3.7', '2023-12-04'],
    'dotnetcore3.1': ['.NET Core 3.1', '2023-04-03'],
    'nodejs12.x': ['Node.js 12', '2023-03-31'],
    'python3.6': ['Python 3.6', '2022-07-18'],
    'dotnet5.0': ['.NET 5', '2022-05-10'],
    'dotnetcore2.1': ['.NET Core 2.1', '2022-01-05'],
    'nodejs10.x': ['Node.js 10', '2021-07-30'],
    'ruby2.5': ['Ruby 2.5', '2021-07-30'],
    'python2.7': ['Python 2.7', '2021-07-15'],
    'nodejs8.10': ['Node.js 8.10', '2020-03-06'],
    'nodejs4.3': ['Node.js 4.3', '2020-03-05'],
    'nodejs4.3-edge': ['Node.js 4.3 edge', '2020-03-05'],
    'nodejs6.10': ['Node.js 6.10', '2019-08-12'],
    'dotnetcore1.0': ['.NET Core 1.0', '2019-07-27'],
    'dotnetcore2.0': ['.NET Core 2.0', '2019-05-30'],
    nodejs: ['Node.js 0.10', '2016-10-31'],
  } as Record<string, readonly [string, string]>,
} as const

/** Past this many days the audit warns that the table may be missing newer deprecations. */
export const RUNTIME_TABLE_MAX_AGE_DAYS = 180

export interface RuntimeStatus {
  runtime: string
  name?: string
  /** The deprecation date, when the table knows the runtime. */
  deprecates?: string
  /** Days from `now` to the deprecation date (negative once deprecated). */
  daysLeft?: number
}

const DAY = 24 * 60 * 60 * 1000

/** Where a runtime stands on `now`, by the table. */
export function runtimeStatus(runtime: string, now: Date): RuntimeStatus {
  const entry = RUNTIME_TABLE.runtimes[runtime]
  if (entry === undefined) return {runtime}
  const [name, deprecates] = entry
  return {runtime, name, deprecates, daysLeft: Math.floor((Date.parse(`${deprecates}T00:00:00Z`) - now.getTime()) / DAY)}
}

/** The table's age in days on `now`. */
export const runtimeTableAge = (now: Date): number => Math.floor((now.getTime() - Date.parse(`${RUNTIME_TABLE.transcribed}T00:00:00Z`)) / DAY)

/** The newest runtime of the same language in the table, to suggest as the upgrade. */
export function newestOfFamily(runtime: string): string | undefined {
  const family = /^[a-z]+/.exec(runtime.replace(/^dotnetcore/, 'dotnet').replace(/^provided.*/, 'provided'))?.[0]
  if (family === undefined) return undefined
  const candidates = Object.entries(RUNTIME_TABLE.runtimes)
    .filter(([id]) => (family === 'provided' ? id.startsWith('provided') : id.replace(/^dotnetcore/, 'dotnet').startsWith(family)))
    .sort((a, b) => (a[1][1] < b[1][1] ? 1 : a[1][1] > b[1][1] ? -1 : 0))
  return candidates[0]?.[0]
}
