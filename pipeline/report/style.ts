import { CHART_FONT } from './charts.ts';

/** The page's only stylesheet, inlined: the report must open offline as a single file. */
export const REPORT_CSS = `
:root { --ink: #1d2733; --muted: #5f6b7a; --line: #e3e7ec; --panel: #ffffff; --page: #f5f7fa;
  --good: #16794a; --good-bg: #e3f5eb; --bad: #b42318; --bad-bg: #fdecea; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 ${CHART_FONT}; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header .generated { margin: 4px 0 20px; color: var(--muted); font-size: 13px; }
h2 { font-size: 18px; font-weight: 650; margin: 0 0 10px; display: flex; align-items: center; gap: 10px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 0 0 18px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.nowrap { white-space: nowrap; }
p.muted { margin: 0 0 14px; font-size: 14px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code.hash { font-size: 12px; word-break: break-all; color: var(--muted); }
pre { margin: 0; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; max-height: 320px; overflow: auto; }

section.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.card.tone-good { border-left-color: var(--good); }
.card.tone-bad { border-left-color: var(--bad); }
.card-label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.card-value { font-size: 28px; font-weight: 650; line-height: 1.2; margin: 2px 0; font-variant-numeric: tabular-nums; }
.tone-good .card-value { color: var(--good); }
.tone-bad .card-value { color: var(--bad); }
.card-detail { font-size: 13px; color: var(--muted); }

nav.contents { display: flex; flex-wrap: wrap; gap: 6px 8px; margin: 0 0 18px; font-size: 13px; }
nav.contents a { color: var(--accent); text-decoration: none; padding: 3px 10px; border: 1px solid var(--line); border-radius: 999px; background: var(--panel); }
nav.contents a:hover { border-color: var(--accent); }
a { color: var(--accent); }

.chart-row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.chart-row > .table-scroll { flex: 1 1 340px; }
figure.chart { margin: 0; max-width: 100%; overflow-x: auto; }
figure.chart figcaption { font-size: 13px; font-weight: 600; color: var(--muted); margin-bottom: 4px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }

.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(112px, 1fr)); gap: 10px; }
.tile { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 8px; text-align: center; background: #fafbfc; }
.tile img { display: block; margin: 0 auto 6px; max-width: 100%; height: auto; image-rendering: pixelated; image-rendering: crisp-edges; background: #000; border-radius: 2px; }
.tile figcaption { font-size: 13px; line-height: 1.35; overflow-wrap: anywhere; }
.tile-true { color: var(--good); font-weight: 600; }
.tile-predicted { color: var(--bad); font-weight: 600; }
.tile .muted { font-size: 12px; font-variant-numeric: tabular-nums; }

.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
table.data th, table.data td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data thead th { font-size: 13px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); white-space: normal; vertical-align: bottom; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
table.data tfoot td { font-weight: 600; border-bottom: 0; }
td.pair { white-space: nowrap; }
td.disagreements { white-space: normal; min-width: 120px; }
.sample-list { font-variant-numeric: tabular-nums; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.out-of-tolerance { color: var(--bad); font-weight: 650; }
.bar-cell { width: 22%; min-width: 80px; }
.bar { display: block; height: 8px; margin-top: 7px; border-radius: 4px; background: var(--accent); opacity: 0.75; }

table.per-class { width: auto; min-width: 100%; }
table.per-class td:first-child { font-weight: 600; }
table.per-class tr.weakest td:nth-child(4) { color: var(--bad); font-weight: 650; }
table.data tfoot tr td { border-top: 1px solid var(--line); }
table.data tfoot tr + tr td { border-top: 0; }
table.model-summary tfoot tr.subtotal td { font-weight: 400; color: var(--muted); }
table.model-summary tr.frozen td { color: var(--muted); }

/* Fixed layout: a wide nested table scrolls inside its cell instead of widening the page. */
table.fields { margin-top: 14px; table-layout: fixed; }
table.fields:first-child { margin-top: 0; }
table.fields > tbody > tr > th { width: 180px; text-align: left; font-weight: 600; padding: 6px 10px 6px 0; vertical-align: top; color: var(--muted); font-size: 13px; }
table.fields > tbody > tr > td { padding: 6px 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
dl.inline-fields { margin: 0; display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; }
dl.inline-fields dt { color: var(--muted); }
dl.inline-fields dd { margin: 0; }
table.data.nested { font-size: 13px; width: auto; }
table.data.nested th, table.data.nested td { padding: 4px 8px; overflow-wrap: normal; }
table.data.nested thead th { white-space: nowrap; }
ol.plain-list { margin: 0; padding-left: 18px; }

.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; }
.badge-pass { color: var(--good); background: var(--good-bg); }
.badge-fail { color: var(--bad); background: var(--bad-bg); }

footer { color: var(--muted); font-size: 12px; text-align: center; }
@media print { body { background: white; } section { break-inside: avoid; } }
`;
