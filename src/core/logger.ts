export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const ORDER: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40}

/** Structured logging for library code, which must never print on its own. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface LogRecord {
  level: LogLevel
  message: string
  fields?: Record<string, unknown>
}

/** A logger that hands each record at or above `min` to `sink`. */
export function createLogger(sink: (record: LogRecord) => void, min: LogLevel = 'info'): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] >= ORDER[min]) sink(fields === undefined ? {level, message} : {level, message, fields})
  }
  return {debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error')}
}

export const silentLogger: Logger = createLogger(() => {}, 'error')

/** A logger that keeps its records, for tests and for carrying warnings into a JSON result. */
export function memoryLogger(min: LogLevel = 'debug'): Logger & {records: LogRecord[]} {
  const records: LogRecord[] = []
  return Object.assign(createLogger((r) => records.push(r), min), {records})
}
