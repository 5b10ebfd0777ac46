/** The report's only style sheet, inline (the Content-Security-Policy admits it by its hash). */
export const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--head:#f6f8fa;--critical:#7f0000;--high:#d7301f;--medium:#e66a2c;--low:#b08900;--info:#6e7781}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1280px;margin:0 auto;padding:0 24px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--line)}h3{font-size:16px;margin:20px 0 6px}
.meta,.note{color:var(--muted)}
nav ol{columns:3;margin:12px 0 16px;padding-left:20px}nav a{color:#0969da;text-decoration:none}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:12.5px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.nowrap{white-space:nowrap}
th{background:var(--head);position:sticky;top:0}
th button{all:unset;cursor:pointer;font-weight:600}th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
table.kv th{width:220px;position:static}
.sev{font-weight:600;white-space:nowrap}.sev-critical{color:var(--critical)}.sev-high{color:var(--high)}.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}.sev-info{color:var(--info)}
.mono,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
.finding{border:1px solid var(--line);border-left:4px solid var(--info);padding:6px 12px;margin:10px 0}
.finding.critical{border-left-color:var(--critical)}.finding.high{border-left-color:var(--high)}.finding.medium{border-left-color:var(--medium)}.finding.low{border-left-color:var(--low)}
.controls{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:8px 0}.controls input{min-width:280px}
.chart{overflow-x:auto}.chart svg{max-width:100%;height:auto}
.ok{color:#1a7f37;font-weight:600}.bad{color:var(--critical);font-weight:600}
@media print{
  @page{size:A4;margin:14mm 12mm}
  body{font-size:10.5px}header,main{max-width:none;padding:0}
  nav,.controls,.screen-only{display:none}
  h2{break-after:avoid}tr,.finding{break-inside:avoid}th{position:static}
  table{font-size:9px}a{color:inherit}
}
`

/**
 * The report's only script, inline (admitted by its hash): sorts a table by the column clicked and
 * filters the timeline by text, source and severity. It moves rows and sets `hidden`; it never
 * parses markup, so the evidence it sorts stays text.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, i) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var key = function (row) { var c = row.cells[i]; return c ? (c.getAttribute('data-sort') || c.textContent) : ''; };
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), nx = Number(x), ny = Number(y);
          var numeric = x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny);
          return dir * (numeric ? nx - ny : x < y ? -1 : x > y ? 1 : 0);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var text = document.getElementById('filter-text');
  var source = document.getElementById('filter-source');
  var severity = document.getElementById('filter-severity');
  var table = document.getElementById('timeline-table');
  var shown = document.getElementById('filter-count');
  if (!text || !table) return;
  var apply = function () {
    var needle = text.value.toLowerCase(), src = source.value, sev = severity.value, n = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = (needle === '' || row.textContent.toLowerCase().indexOf(needle) >= 0)
        && (src === '' || row.getAttribute('data-source') === src)
        && (sev === '' || (sev === 'any' ? row.getAttribute('data-severity') !== '' : row.getAttribute('data-severity') === sev));
      row.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  };
  text.addEventListener('input', apply);
  source.addEventListener('change', apply);
  severity.addEventListener('change', apply);
})();
`
