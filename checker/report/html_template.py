"""The HTML report's frame: the head of the page with its stylesheet and content security policy,
its foot, and the escaping of every value written into the page."""

from __future__ import annotations

import html
from collections.abc import Iterator

from checker.evaluation.run import RunResult
from checker.report.reading import as_of_words, printable

STYLE = """
:root { --ink: #1d2939; --muted: #667085; --line: #d0d5dd; --paper: #ffffff;
  --breach: #b42318; --breach-bg: #fef3f2; --trigger: #b54708; --trigger-bg: #fffaeb;
  --deadline: #175cd3; --deadline-bg: #eff8ff; --error: #101828; --error-bg: #f2f4f7;
  --waived: #5925dc; --waived-bg: #f4f3ff; --resolved: #475467; --unknown: #344054;
  --unknown-bg: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; background: #f9fafb; color: var(--ink); line-height: 1.45;
  font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: var(--paper);
  overflow-wrap: anywhere; word-break: break-word; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 22px 0 8px; }
p.lead { color: var(--muted); margin: 0 0 16px; }
nav { font-size: 14px; margin: 8px 0 20px; color: var(--muted); }
nav a { color: var(--deadline); margin-right: 14px; text-decoration: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px;
  padding: 10px 14px; }
.card .n { font-size: 30px; font-weight: 700; display: block; }
.card.breach { border-left-color: var(--breach); background: var(--breach-bg); }
.card.trigger { border-left-color: var(--trigger); background: var(--trigger-bg); }
.card.deadline { border-left-color: var(--deadline); background: var(--deadline-bg); }
.card.error { border-left-color: var(--error); background: var(--error-bg); }
.card.unknown { border-left-color: var(--unknown); border-left-style: dashed;
  background: var(--unknown-bg); }
.card.waived { border-left-color: var(--waived); background: var(--waived-bg); }
.alert { border: 2px solid var(--error); background: repeating-linear-gradient(135deg,
  #f2f4f7, #f2f4f7 10px, #e4e7ec 10px, #e4e7ec 20px); padding: 10px 14px; border-radius: 6px;
  font-weight: 600; margin: 12px 0; }
.alert.breach { border-color: var(--breach); background: var(--breach-bg); }
/* A table scrolls sideways in its own box when its columns cannot fit; the page never does. */
.table-scroll { overflow-x: auto; max-width: 100%; margin: 8px 0 12px; }
.table-scroll:focus-visible { outline: 2px solid var(--deadline); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
/* Many columns: scrolled in their box on a phone rather than squeezed letter by letter. */
table.wide { min-width: 640px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: #f2f4f7; font-weight: 600; overflow-wrap: normal; word-break: normal; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px;
  padding: 10px 14px; margin: 10px 0; break-inside: avoid; }
.finding.breach { border-left-color: var(--breach); }
.finding.trigger { border-left-color: var(--trigger); }
.finding.deadline { border-left-color: var(--deadline); }
.finding.error { border-left-color: var(--error); background: var(--error-bg); }
.finding.unknown { border-left-color: var(--unknown); border-left-style: dashed;
  background: var(--unknown-bg); }
.finding.waived { border-left-color: var(--waived); }
.finding.gone { border-left-color: var(--resolved); }
.finding > h3, .finding > h4 { margin: 0 0 4px; font-size: 15px; }
.finding .tags { margin-bottom: 4px; }
.finding p { margin: 4px 0; }
.finding .message { font-size: 15px; }
.finding .table-scroll { margin: 6px 0 2px; }
.finding table.evidence { font-size: 13px; }
.finding table.evidence th { background: #f9fafb; }
.meta, .note { font-size: 12.5px; color: var(--muted); }
.note { color: var(--trigger); font-weight: 600; }
.waiver { border-left: 3px solid var(--waived); background: var(--waived-bg); padding: 6px 10px;
  font-size: 13.5px; margin-top: 6px; }
.tag { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px;
  border-radius: 10px; margin-right: 6px; border: 1px solid var(--line); background: #fff; }
.tag.date { border: none; padding-left: 0; font-size: 13px; }
.tag.sev-critical { background: var(--breach); color: #fff; border-color: var(--breach); }
.tag.sev-high { color: var(--breach); border-color: var(--breach); }
.tag.sev-medium { color: var(--trigger); border-color: var(--trigger); }
.tag.sev-low, .tag.sev-info { color: var(--muted); }
.tag.kind-breach { background: var(--breach-bg); color: var(--breach); }
.tag.kind-trigger { background: var(--trigger-bg); color: var(--trigger); }
.tag.kind-deadline { background: var(--deadline-bg); color: var(--deadline); }
.tag.kind-error { background: var(--error); color: #fff; }
.tag.kind-unknown { border: 1px dashed var(--unknown); color: var(--unknown); }
.tag.status-new { background: var(--breach); color: #fff; border-color: var(--breach); }
.tag.status-open { color: var(--ink); }
.tag.status-resolved { color: var(--resolved); }
.tag.status-stale { background: var(--error-bg); color: var(--error); }
.tag.waived { background: var(--waived-bg); color: var(--waived); }
.tag.snoozed { background: var(--error-bg); color: var(--ink); }
p.snooze { border-left: 3px solid var(--muted); background: var(--error-bg); padding: 6px 10px;
  font-size: 13.5px; margin-top: 6px; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 18px; border-left: 3px solid #b2ddff; }
ol.timeline > li { display: flex; gap: 16px; position: relative; }
ol.timeline > li::before { content: ""; position: absolute; left: -26px; top: 18px; width: 13px;
  height: 13px; border-radius: 50%; background: var(--deadline); }
ol.timeline .when { flex: 0 0 120px; padding-top: 12px; }
ol.timeline .when strong { display: block; }
ol.timeline .when span { font-size: 13px; color: var(--muted); }
ol.timeline .cards-of-day { flex: 1; min-width: 0; }
.agreement-meta { color: var(--muted); margin: -4px 0 6px; font-size: 14px; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; font-size: 12.5px; color: var(--muted); }
@media (min-width: 601px) { .nowrap { white-space: nowrap; } table.facts th { width: 190px; } }
/* A phone: less padding, the timeline's dates above their cards, two-column tables stacked. */
@media (max-width: 600px) {
  main { padding: 16px 12px 40px; }
  h1 { font-size: 22px; }
  ol.timeline { padding-left: 12px; }
  ol.timeline > li { display: block; }
  ol.timeline > li::before { left: -20px; }
  ol.timeline .when { padding-top: 10px; }
  ol.timeline .when strong { display: inline; margin-right: 8px; }
  table.facts, table.facts tbody, table.facts tr, table.facts th, table.facts td {
    display: block; width: auto; }
  table.facts th { border-bottom: none; }
  th, td { padding: 4px 6px; }
  .finding { padding: 8px 10px; }
}
@media print { body { background: #fff; } main { padding: 0; } nav { display: none; } }
"""


def escape(value: object) -> str:
    """Any value as HTML text: escaped, quotes included, control characters made visible."""
    return html.escape(printable(str(value)), quote=True)


def table_open(label: str, css: str = "") -> str:
    """The start of a table inside its own scrolling box: a phone scrolls the table sideways, not
    the page. The box takes the focus (tabindex) so that a keyboard can scroll it, and is named
    for screen readers; close it with TABLE_CLOSE."""
    table = f'<table class="{css}">' if css else "<table>"
    return (
        f'<div class="table-scroll" role="region" aria-label="{escape(label)}" tabindex="0">{table}'
    )


TABLE_CLOSE = "</table></div>"


def page_head(result: RunResult) -> Iterator[str]:
    """The page up to its title heading: the policy that nothing may be loaded, and the style."""
    title = f"Contract check as of {as_of_words(result.summary.as_of)}"
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    # Nothing may be loaded from anywhere: the page is complete as written.
    yield (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
    )
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    yield f"<h1>{escape(title)}</h1>\n"


def page_foot() -> Iterator[str]:
    """The footer, and the end of the page."""
    yield "<footer>Written by contract-checker. Each finding's fingerprint identifies it "
    yield "across runs.</footer>\n</main>\n</body>\n</html>\n"
