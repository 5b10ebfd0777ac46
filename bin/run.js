#!/usr/bin/env node
import {execute} from '@oclif/core'

// The AWS SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
// The installed SDK is pinned by package-lock.json; the README states the Node requirement once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

await execute({dir: import.meta.url})
