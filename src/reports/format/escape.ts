import {escapeControls as showControls} from '../../core/text.js'

const HTML: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text for HTML element content or a quoted attribute: markup escaped, control and bidi characters shown as `\uXXXX`. */
export function html(value: unknown): string {
  return showControls(stringOf(value)).replace(/[&<>"']/g, (c) => HTML[c]!)
}

/**
 * Text for Markdown (GitHub, GitLab), in a paragraph or a table cell: no HTML (angle brackets and
 * ampersands as entities), no emphasis, links, images, headings or table breaks (each punctuation
 * mark Markdown reads inline is backslash-escaped; `:`, `@` and `www.` too, which GitHub would turn
 * into links), one line, control and bidi characters shown as
 * `\uXXXX`, and at most `max` characters (an ellipsis says it was cut).
 */
export function md(value: unknown, max = 300): string {
  let s = showControls(stringOf(value).replace(/\r\n|\r|\n/g, ' '))
  if ([...s].length > max) s = `${[...s].slice(0, max - 1).join('')}…`
  return s
    .replace(/[\\`*_{}[\]()#+!|~:@]/g, (c) => `\\${c}`)
    .replace(/(www)\./gi, '$1\\.')
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/^-/, '\\-')
    .replace(/[&<>"]/g, (c) => HTML[c]!)
}

export function stringOf(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
