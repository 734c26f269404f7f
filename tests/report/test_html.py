"""write_report: one self-contained HTML file, checked as a reader sees it (Chromium)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from bpengine.report import write_report
from bpengine.report.before_after import compare, plots_for, simulate_pair

from .conftest import SCENARIO


@pytest.fixture
def report(tmp_path, domisili, redesigned):
    after, log, sa = redesigned
    results = simulate_pair(domisili, after, SCENARIO, sa, cases=120, replications=3, seed=2)
    comparison = compare(domisili, after, SCENARIO, 120, 3, 2, after_scenario=sa,
                         results=results)
    from bpengine import analyze

    path = tmp_path / "report.html"
    write_report(domisili, after, findings=analyze(domisili), comparison=comparison,
                 plots=plots_for(*results), changes=log, path=path)
    return path


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and html.count("data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script" not in html.lower()
    assert "Removed &#x27;Tanda tangan pengantar RW" in html  # the change log
    assert "statistically significant" in html
    assert 'data-hl="removed"' in html and 'data-hl="changed"' in html


def test_the_after_diagram_is_told_apart_when_the_process_name_is_unchanged(report, domisili):
    html = report.read_text(encoding="utf-8")
    assert f"<h3>Before: {domisili.name}</h3>" in html
    assert re.search(r"<h3>After: [^<]*, redesigned \([^)<]+\)</h3>", html)


def test_before_only_report_lists_findings(tmp_path, domisili):
    from bpengine import analyze

    findings = analyze(domisili)
    path = write_report(domisili, findings=findings, path=tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and 'data-hl="flagged"' in html
    assert all(f.id in html for f in findings)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI: apt-get install -y chromium")
    pytest.skip("chromium not installed (apt-get install -y chromium) - cannot look at the "
                "report as a reader would")


def _colour_share(img, rgb, tol=40):
    return float((np.abs(img[:, :, :3] * 255 - np.array(rgb)).sum(axis=2) < tol).mean())


def test_chromium_screenshot_shows_both_diagrams_and_the_plots(report, tmp_path):
    import matplotlib.image as mpimg

    browser = _chromium()
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={shot}",
                        "--window-size=1400,3400", report.as_uri()],
                       check=True, capture_output=True, timeout=120)
    img = mpimg.imread(shot)
    h = img.shape[0]
    assert img.shape[1] == 1400 and h >= 3000
    # flagged/removed (orange/red) in the before diagram, changed (green) in the after one,
    # in the top half; the plots further down: the histograms (translucent green and orange
    # over white) and the bars (plain colours)
    top, bottom = img[: h // 2], img[h // 2:]
    assert _colour_share(top, (216, 67, 21)) > 0.0002, "no flagged element visible"
    assert _colour_share(top, (46, 125, 50)) > 0.0002, "no changed element visible"
    assert _colour_share(bottom, (140, 184, 142)) > 0.002, "no 'after' histogram visible"
    assert _colour_share(bottom, (234, 152, 126)) > 0.002, "no 'before' histogram visible"
    assert _colour_share(bottom, (216, 67, 21)) > 0.001, "no waiting-by-lane bars visible"
