"""The report's style sheet, inlined in the page (no external styles or fonts)."""

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --kept: #4e79a7; --drop: #e15759;
        --other: #f28e2b; --bg-drop: #fff1f0; --bg-kept: #f3f7fb; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; border-bottom: 1px solid var(--line); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 34px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p { margin: 6px 0; }
.muted, .note, figcaption, .source { color: var(--muted); }
.note, figcaption, .source { font-size: 13px; }
nav { margin: 10px 0 12px; font-size: 14px; }
nav a { margin-right: 16px; }
a { color: #0b5cad; }
code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; background: #f4f6f8; padding: 0 3px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.tile b { display: block; font-size: 22px; }
.tile span { color: var(--muted); font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 18px; }
figure { margin: 0; min-width: 0; }
svg.chart { width: 100%; height: auto; display: block; }
table.prov td { overflow-wrap: anywhere; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.pairs { table-layout: fixed; }
table.pairs td { overflow-wrap: anywhere; }
table.pairs col.num { width: 64px; } table.pairs col.sig { width: 150px; } table.pairs col.doc { width: 170px; }
td .tag, .why { display: inline-block; font-size: 12px; border-radius: 3px; padding: 0 5px; margin: 1px 2px 1px 0;
                background: #eef1f4; color: var(--ink); }
tr.off td { color: var(--drop); font-weight: 600; }
details { margin: 6px 0; }
summary { cursor: pointer; }
details.doc { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
details.doc summary { font-weight: 600; overflow-wrap: anywhere; }
.counts { font-weight: 400; color: var(--muted); margin-left: 10px; font-size: 13px; }
.lines { margin-top: 6px; }
.line { display: grid; grid-template-columns: 44px 1fr; gap: 6px; border-top: 1px solid #f0f2f4; padding: 2px 0; }
.ln { color: var(--muted); font: 12px ui-monospace, "DejaVu Sans Mono", monospace; text-align: right; padding-top: 3px; }
.unit { padding: 2px 8px; margin: 2px 0; border-left: 3px solid; overflow-wrap: anywhere; }
.unit.kept { border-color: var(--kept); background: var(--bg-kept); }
.unit.drop { border-color: var(--drop); background: var(--bg-drop); color: #6e2b2b; }
.unit .src { display: block; }
.unit .tgt { display: block; color: var(--muted); font-size: 13px; font-style: italic; }
.unit .mark { float: right; font-size: 12px; color: var(--muted); margin-left: 8px; }
.unit .why { float: none; color: #8a1f1f; background: #fbd9d7; margin-right: 6px; }
.unit.drop .src { display: inline; }
.legend span { margin-right: 14px; font-size: 13px; }
.legend .k { border-left: 3px solid var(--kept); padding-left: 5px; }
.legend .d { border-left: 3px solid var(--drop); padding-left: 5px; }
#only-dropped:checked ~ .docs .unit.kept { display: none; }
.warn { color: var(--drop); }
"""
