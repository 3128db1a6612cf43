"""The HTML report: one self-contained page, every item shown, nothing loaded from outside,
every string escaped; and, where a headless browser is installed, the page rendered offline."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_support import RUNBOOK, make_report_project

from pytest_mlchecklist import cli
from pytest_mlchecklist.engine import ChecklistResult, scan
from pytest_mlchecklist.reports.html import render_html

TODAY = dt.date(2026, 11, 22)
HOSTILE = "<script>alert('owned')</script><img src=https://evil.example/x.png>"
CONFIG = f"""\
profile: mature
waivers:
  - item: load-testing
    reason: "Traffic is under five requests per second {HOSTILE}"
    owner: "@ml-platform"
    expires: 2027-03-01
  - item: on-call
    reason: The rotation starts when the second engineer joins next quarter
    owner: "@lead"
    expires: 2026-11-01
not_applicable:
  - item: horizontal-scaling
    reason: Batch scoring only, there is no online serving path
"""
#: src=, href= or url() that reaches outside the page (http, https or protocol-relative).
EXTERNAL = re.compile(r"""(?:\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)|(?:url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//)|@import""",
                      re.IGNORECASE)


def make_project(root: Path) -> Path:
    return make_report_project(root, CONFIG)


class PageParser(HTMLParser):
    """Collects tags, their attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def markup(self) -> str:
        """The page without its text: tags with their attributes, and style sheets."""
        tags = [f"<{tag} " + " ".join(f'{name}="{value or ""}"' for name, value in attrs.items()) + ">"
                for tag, attrs in self.tags]
        return "\n".join(tags + self.styles)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def result(tmp_path: Path) -> ChecklistResult:
    return scan(make_project(tmp_path), today=TODAY)


def test_every_item_is_on_the_page_with_status_and_message(result: ChecklistResult) -> None:
    parsed = parse(render_html([result]))
    rows = {attrs.get("id") for tag, attrs in parsed.tags if tag == "tr" and "item" in (attrs.get("class") or "")}
    assert rows == {f"p0-{entry.item.id}" for entry in result.items}
    assert len(result.items) == 51
    text = " ".join(parsed.text)
    for entry in result.items:
        assert entry.item.id in text
        assert entry.item.title in text
    assert "could not be parsed as YAML" in text  # the message of the error item
    assert "docs/rollback.md:3" in text  # evidence location of the met item
    assert f"{result.percent:.1f}%" in text
    assert result.verdict in text
    assert "production-ml-51" in text and "mature" in text


def test_evidence_is_in_details_blocks(result: ChecklistResult) -> None:
    page = render_html([result])
    assert re.search(r"<details><summary>Evidence \(1\)</summary><ul><li><code>docs/rollback\.md:3</code>", page)


def test_the_waivers_table_shows_owner_expiry_days_left_and_state(result: ChecklistResult) -> None:
    page = render_html([result])
    assert re.search(r"<td class=\"nowrap\">\[23\] load-testing</td><td>@ml-platform</td><td>Traffic is under five requests per second "
                     r"&lt;script&gt;.*?</td><td class=\"nowrap\">2027-03-01</td><td>99</td><td class=\"state-active\">active</td>", page)
    assert re.search(r"<td class=\"nowrap\">\[40\] on-call</td><td>@lead</td>.*?<td class=\"nowrap\">2026-11-01</td><td>-21</td>"
                     r"<td class=\"state-expired\">expired</td>", page)
    assert "Batch scoring only, there is no online serving path" in page


def test_the_chart_is_inline_svg_with_a_bar_per_section_and_status(result: ChecklistResult) -> None:
    parsed = parse(render_html([result]))
    assert sum(1 for tag, _ in parsed.tags if tag == "svg") == 1
    rectangles = [attrs for tag, attrs in parsed.tags if tag == "rect"]
    expected = sum(
        1 for section in result.config.catalog.sections for status in ("met", "unmet", "error", "waived", "not_applicable")
        if any(entry.item.section == section.id and entry.status == status for entry in result.items))
    assert len(rectangles) == expected
    text = " ".join(parsed.text)
    assert "Serving infrastructure: 1 not applicable" in text
    assert "Model testing: 1 waived" in text


def test_nothing_is_loaded_from_outside_the_page(result: ChecklistResult) -> None:
    page = render_html([result])
    parsed = parse(page)
    markup = parsed.markup()
    assert not EXTERNAL.search(markup), EXTERNAL.search(markup)
    links = [value for _, attrs in parsed.tags for name, value in attrs.items() if name in ("src", "href", "xlink:href")]
    assert links and all(value and value.startswith("#") for value in links)  # in-page anchors only
    assert "url(" not in markup
    assert {tag for tag, _ in parsed.tags} & {"script", "link", "img", "iframe", "object", "embed"} == set()
    assert "Content-Security-Policy" in page


def test_the_external_reference_check_can_fail() -> None:
    for bad in ('<img src="https://cdn.example/x.png">', "<a href='//cdn.example'>", "<style>p{background:url(http://x/y.png)}</style>",
                '<style>@import "x.css";</style>'):
        assert EXTERNAL.search(parse(bad).markup())


def test_hostile_strings_are_escaped(result: ChecklistResult) -> None:
    page = render_html([result])
    assert HOSTILE not in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page
    assert "src=https://evil.example" not in page.replace("&lt;img src=https://evil.example", "")


def test_several_projects_get_a_section_each(tmp_path: Path) -> None:
    first = scan(make_project(tmp_path / "services" / "ranker"), today=TODAY)
    second = scan(make_project(tmp_path / "batch" / "scoring"), today=TODAY)
    parsed = parse(render_html([first, second]))
    headings = [text for text in parsed.text if text.startswith("Project ")]
    assert headings == ["Project services/ranker", "Project batch/scoring"]
    row_ids = {attrs.get("id") for tag, attrs in parsed.tags if tag == "tr" and attrs.get("id")}
    assert {"p0-rollback", "p1-rollback"} <= row_ids


def test_pytest_option_writes_the_html_file(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [rollback, on-call]\n")
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "rollback.md").write_text(RUNBOOK)
    result = pytester.runpytest("--ml-checklist", "--ml-checklist-today=2026-11-22", "--ml-checklist-html=report.html")
    result.assert_outcomes(passed=1, failed=1)
    text = " ".join(parse(pytester.path.joinpath("report.html").read_text()).text)
    assert "rollback" in text and "on-call" in text and "50.0%" in text


def test_scan_command_writes_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out" / "report.html"
    code = cli.main(["scan", str(make_project(tmp_path)), "--format", "html", "--output", str(output),
                     "--today", "2026-11-22"])
    assert code == cli.EXIT_GATE_FAILED
    assert capsys.readouterr().out == ""
    assert output.read_text().startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------------- a real browser, offline
def _browser() -> str | None:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_the_page_renders_offline_in_a_headless_browser(result: ChecklistResult, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no headless Chromium installed (apt-get install chromium-headless-shell); "
                    "see docs/reports.md for the manual check")
    page = tmp_path / "report.html"
    page.write_text(render_html([result]), encoding="utf-8")
    profile = tmp_path / "browser-profile"
    completed = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
         # No network: every host resolves to nothing and any proxy use fails.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--disable-background-networking",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)}, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    dom = parse(completed.stdout)
    rows = {attrs.get("id") for tag, attrs in dom.tags if tag == "tr" and "item" in (attrs.get("class") or "")}
    assert rows == {f"p0-{entry.item.id}" for entry in result.items}
    text = " ".join(dom.text)
    assert all(entry.item.title in text for entry in result.items)
    assert not any(tag == "script" for tag, _ in dom.tags)
