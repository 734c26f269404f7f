"""Report: before/after tables, diagrams drawn from DI, plots, one self-contained HTML file.

The public names below are imported on first use (PEP 562), as in :mod:`bpengine`: the CLI
reaches :mod:`.tables` through this package on every run, and a plain ``simulate`` must not
pay for networkx and the before/after machinery it never uses.
"""

from __future__ import annotations

from ..lazy import lazy_exports

# public name -> module that defines it
_LAZY = {
    "plots_for": ".plots",
    "Comparison": ".comparison",
    "Metric": ".comparison",
    "structural_metrics": ".comparison",
    "structure": ".comparison",
    "render_svg": ".diagram",
    "subprocess_planes": ".diagram",
    "render_report": ".html",
    "write_report": ".html",
}

__all__ = [
    "Comparison",
    "Metric",
    "plots_for",
    "render_report",
    "render_svg",
    "structural_metrics",
    "structure",
    "subprocess_planes",
    "write_report",
]

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
