/** A function as the responder named it, resolved to a name, a region and maybe a qualifier. */
export interface FunctionTarget {
  input: string
  functionName: string
  region: string
  qualifier?: string
}

/** Parses a function name or ARN (`arn:aws:lambda:<region>:<acct>:function:<name>[:<qualifier>]`). */
export function parseFunctionTarget(input: string, defaultRegion: string): FunctionTarget {
  const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(input)
  if (!m) return {input, functionName: input, region: defaultRegion}
  return {input, functionName: m[2]!, region: m[1]!, ...(m[3] === undefined ? {} : {qualifier: m[3]})}
}
