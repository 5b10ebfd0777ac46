/**
 * Resolves once a stream has handed everything written to it to the system. A pipe that is full
 * (a reader slower than the writer, or one that reads only at the end) holds the rest in the
 * process: exiting before it drains would cut the output, at 64 KiB on Linux.
 */
export function drained(stream: NodeJS.WritableStream & {destroyed?: boolean; writableEnded?: boolean}): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve()
  // An empty write's callback runs after every earlier write was flushed, or with the error (EPIPE) that ended the stream.
  return new Promise((resolve) => {
    stream.write('', 'utf8', () => resolve())
  })
}

/** Waits for stdout and stderr to drain: what every exit of a command waits for. */
export async function drainOutput(): Promise<void> {
  await Promise.all([drained(process.stdout), drained(process.stderr)])
}
