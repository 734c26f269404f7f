"""write_report: one self-contained HTML file, checked as a reader sees it (Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from bpengine.reengineer.before_after import compare, simulate_pair
from bpengine.report import write_report
from bpengine.report.plots import plots_for

from .conftest import SCENARIO


@pytest.fixture
def report(tmp_path, domisili, redesigned):
    after, log, sa = redesigned
    results = simulate_pair(domisili, after, SCENARIO, sa, cases=120, replications=3, seed=2)
    comparison = compare(
        domisili,
        after,
        scenario=SCENARIO,
        cases=120,
        replications=3,
        seed=2,
        after_scenario=sa,
        results=results,
    )
    from bpengine import analyze

    path = tmp_path / "report.html"
    write_report(
        domisili,
        after,
        findings=analyze(domisili),
        comparison=comparison,
        plots=plots_for(*results),
        changes=log,
        path=path,
    )
    return path


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 2
    assert html.count("data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert not re.search(r"<script[^>]*\bsrc=", html)  # the one script is inline
    assert html.count("<script>") == 1
    assert "Removed &#x27;Tanda tangan pengantar RW" in html  # the change log (appendix)
    assert 'data-hl="removed"' in html
    assert 'data-hl="changed"' in html


def _main_view(html: str) -> str:
    return html.split('id="appendix"', 1)[0]


def test_the_main_view_speaks_plain_words_and_the_appendix_keeps_the_statistics(report):
    html = report.read_text(encoding="utf-8")
    main, appendix = _main_view(html), html.split('id="appendix"', 1)[1]
    for jargon in ("Welch", "p-value", "p &lt;", "p =", "t-test", "95% CI"):
        assert jargon not in main, jargon
    assert "statistically significant" in appendix
    assert "Welch" in appendix
    summary = re.search(r'<p class="headline">(.*?)</p>', main, re.S).group(1)
    assert "removes 2 steps" in summary
    assert "What it saves" in summary
    assert "in 95 of 100 repetitions" in summary.replace("In 95", "in 95")
    assert "Every simulated measure in the table improves." in summary


def test_the_summary_says_what_does_not_improve():
    from bpengine.report import Comparison
    from bpengine.report.comparison import simulated_metric
    from bpengine.report.summary import summary_paragraph

    rows = (
        simulated_metric(
            "cycle_days_mean",
            "Cycle time, mean",
            "working days",
            [5.0, 5.2, 4.9, 5.1],
            [3.0, 3.1, 2.9, 3.05],
        ),
        simulated_metric(
            "sla",
            "Cases within the service standard",
            "share",
            [0.1, 0.1, 0.1, 0.1],
            [0.1, 0.1, 0.1, 0.1],
            "higher",
        ),
        simulated_metric(
            "cost",
            "Cost of that work per case",
            "IDR",
            [1000.0, 1300, 900, 1200],
            [1100.0, 1000, 1250, 1150],
        ),
    )
    text = summary_paragraph(Comparison("a", "b", rows, 100, 4, 7, "s.yaml"))
    assert "a request takes 3.01 working days instead of 5.05" in text
    # QA 9: a change that may be chance is not "does not improve"; no change at all is
    assert (
        "No clear change (the difference could be chance): cost of that work per case "
        "(Rp 1,100 before, Rp 1,125 after). What does not change: cases within the service "
        "standard (10% before, 10% after)." in text
    )
    assert "we simulated 100 requests 4 times on each side. In 95 of 100 repetitions" in text


def test_the_summary_says_when_other_changes_add_steps_back():
    """QA 9: "removes 1 step" next to "Steps 17 -> 17, no change" (integrate made a send task)."""
    from bpengine.redesign import Change
    from bpengine.report import Comparison
    from bpengine.report.comparison import Metric
    from bpengine.report.summary import summary_paragraph

    changes = [
        Change("eliminate", ("T1",), "", names=(("T1", "Periksa"),)),
        Change("integrate", ("M1",), ""),
    ]
    steps = Metric("activities", "Steps (activities)", "steps", "structure", 17, 17)
    text = summary_paragraph(Comparison("a", "b", (steps,), 0, 0, 7, ""), changes)
    assert "removes 1 step (\u201cPeriksa\u201d) and makes 1 other change" in text
    assert "Yet the other changes add 1 step, so the count stays at 17." in text


def test_changes_name_the_steps_not_their_ids(report, redesigned):
    _after, log, _sa = redesigned
    changes = re.search(
        r'<h2 id="changes">.*?<ol>(.*?)</ol>', report.read_text("utf-8"), re.S
    ).group(1)
    assert "Tanda tangan pengantar RW" in changes
    for c in log:
        for ident in c.elements:
            assert ident not in changes, ident


def test_assumptions_page_lists_staff_hours_arrivals_and_durations_with_sources(tmp_path, domisili):
    import yaml

    from bpengine.report import write_report

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "# Sources: interviews at Kelurahan X, 2025\n"
        "calendar: {hours: indonesia}   # Keppres 68/1995\n"
        "arrivals:\n  interarrival: 40 min   # counted at the front desk, March 2025\n"
        "lanes:\n  Ketua RW: {staff: 1, cost_per_hour: 30000}   # assumption\n"
        "tasks:\n  Task_ttd_rw: 3 h   # RW secretary, interview\n",
        encoding="utf-8",
    )
    assert yaml.safe_load(scenario.read_text())  # a valid scenario file
    path = write_report(domisili, path=tmp_path / "r.html", scenario=scenario)
    html = path.read_text(encoding="utf-8")
    section = html.split('id="assumptions"', 1)[1].split("</section>", 1)[0]
    assert "counted at the front desk, March 2025" in section
    assert "RW secretary, interview" in section
    assert "Keppres 68/1995" in section
    assert "Tanda tangan pengantar RW" in section
    assert "Task_ttd_rw" not in section
    assert "about 11.2 per working day" in section  # 450 working minutes / 40
    assert "Interviews at Kelurahan X" in section or "interviews at Kelurahan X" in section


def test_the_after_diagram_is_told_apart_when_the_process_name_is_unchanged(report, domisili):
    html = report.read_text(encoding="utf-8")
    assert f"<h3>Before: {domisili.name}</h3>" in html
    assert re.search(r"<h3>After: [^<]*, redesigned \([^)<]+\)</h3>", html)


def test_before_only_report_lists_findings(tmp_path, domisili):
    from bpengine import analyze

    findings = analyze(domisili)
    path = write_report(domisili, findings=findings, path=tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 1
    assert 'data-hl="flagged"' in html
    assert all(f.id in html for f in findings)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI: apt-get install -y chromium")
    pytest.skip(
        "chromium not installed (apt-get install -y chromium) - cannot look at the "
        "report as a reader would"
    )


def _colour_share(img, rgb, tol=40):
    return float((np.abs(img[:, :, :3] * 255 - np.array(rgb)).sum(axis=2) < tol).mean())


_MEASURE = """
<script>
(function () {
  var out = {overflow: document.documentElement.scrollWidth - window.innerWidth,
             width: window.innerWidth, labels: [], body: []};
  document.querySelectorAll('svg.bpmn text').forEach(function (t) {
    var r = t.getBoundingClientRect();
    if (!r.width) { return; }
    var c = t.getScreenCTM(), px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(c.a, c.b);
    out.labels.push(Math.round(px * 100) / 100);
  });
  document.querySelectorAll('p, td, th, li').forEach(function (e) {
    out.body.push(parseFloat(getComputedStyle(e).fontSize));
  });
  var box = document.querySelector('.diagram'), svg = box.querySelector('svg');
  var before = svg.getBoundingClientRect().width;
  document.querySelector('button[data-zoom="in"]').click();
  var zoomed = svg.getBoundingClientRect().width;
  document.querySelector('button[data-zoom="fit"]').click();
  out.zoom = {natural: before, zoomed: zoomed, fit: svg.getBoundingClientRect().width,
              box: box.clientWidth};
  var pre = document.createElement('pre');
  pre.id = 'measurements';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def test_assumptions_say_which_values_a_what_if_changed(tmp_path):
    from click.testing import CliRunner

    from bpengine.cli import main

    from ..conftest import PROCESSES

    out = tmp_path / "r.html"
    r = CliRunner().invoke(
        main,
        [
            "report",
            str(PROCESSES / "surat-keterangan-domisili.bpmn"),
            "-o",
            str(out),
            "--set",
            'lanes."Petugas Kelurahan".staff=3',
        ],
    )
    assert r.exit_code == 0, r.output
    section = out.read_text("utf-8").split('id="assumptions"', 1)[1]
    assert re.search(
        r"Petugas Kelurahan</td><td>3 people[^<]*</td><td>changed for this "
        r"what-if \(--set\)<",
        section,
    )
    assert re.search(r"Camat</td><td>1 person, Rp 95,000 an hour</td><td[^>]*>assumption<", section)


def _browser_run(browser, page, *args):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                *args,
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            text=True,
        )


def _measure(browser, report, tmp_path, width):
    import json

    page = tmp_path / f"measure-{width}.html"
    page.write_text(report.read_text("utf-8").replace("</body>", _MEASURE + "</body>"), "utf-8")
    dom = _browser_run(browser, page, f"--window-size={width},1000", "--dump-dom").stdout
    return json.loads(
        re.search(r'<pre id="measurements">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"')
    )


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "id"])
def test_chromium_labels_readable_and_no_overflow_at_1400_and_768(
    lang, tmp_path, domisili, redesigned
):
    """Labels at least ~9 px at default zoom, nothing wider than the window, zoom works."""
    from bpengine.i18n import set_language

    browser = _chromium()
    after, log, sa = redesigned
    set_language(lang)
    try:
        path = tmp_path / "r.html"
        from bpengine import analyze
        from bpengine.report import write_report

        results = simulate_pair(domisili, after, SCENARIO, sa, cases=60, replications=2, seed=2)
        write_report(
            domisili,
            after,
            findings=analyze(domisili),
            comparison=compare(
                domisili,
                after,
                scenario=SCENARIO,
                cases=60,
                replications=2,
                seed=2,
                after_scenario=sa,
                results=results,
            ),
            changes=log,
            path=path,
            scenario=SCENARIO,
        )
    finally:
        set_language("en")
    assert f'<html lang="{lang}">' in path.read_text("utf-8")
    for width in (1400, 768):
        m = _measure(browser, path, tmp_path, width)
        assert m["width"] == width
        assert m["overflow"] <= 0, f"page {m['overflow']} px wider than a {width} px window"
        assert len(m["labels"]) > 20, sorted(m["labels"])[:5]
        assert min(m["labels"]) >= 9, sorted(m["labels"])[:5]
        assert min(m["body"]) >= 12
        z = m["zoom"]
        assert z["zoomed"] > z["natural"] * 1.2, z  # "+" zooms in
        assert abs(z["fit"] - z["box"]) <= 2, z  # "fit to width" fits the box


def test_chromium_screenshot_shows_both_diagrams_and_the_plots(report, tmp_path):
    import matplotlib.image as mpimg

    browser = _chromium()
    shot = tmp_path / "shot.png"
    _browser_run(browser, report, f"--screenshot={shot}", "--window-size=1400,6000")
    img = mpimg.imread(shot)
    assert img.shape[1] == 1400
    assert img.shape[0] == 6000
    # flagged/removed (orange/red) in the before diagram, changed (green) in the after one;
    # the plots: the histograms (translucent green and orange over white) and the bars
    assert _colour_share(img, (216, 67, 21)) > 0.0002, "no flagged element visible"
    assert _colour_share(img, (46, 125, 50)) > 0.0002, "no changed element visible"
    assert _colour_share(img, (140, 184, 142)) > 0.001, "no 'after' histogram visible"
    assert _colour_share(img, (234, 152, 126)) > 0.001, "no 'before' histogram visible"


@pytest.mark.slow
def test_printed_on_a4_with_the_diagrams_on_landscape_pages(report, tmp_path):
    pdf = tmp_path / "r.pdf"
    _browser_run(_chromium(), report, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    boxes = re.findall(rb"MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf.read_bytes())
    sizes = {(round(float(w)), round(float(h))) for w, h in boxes}
    assert sizes == {(595, 842), (842, 595)}, sizes  # A4 portrait and A4 landscape
