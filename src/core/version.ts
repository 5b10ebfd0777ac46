import {readFileSync} from 'node:fs'

/** Name and version of this build of coroner, read once from its package.json. */
export const TOOL: {readonly name: string; readonly version: string} = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string
    version: string
  }
  return {name: pkg.name, version: pkg.version}
})()
