"""Report: before/after tables, diagrams drawn from DI, plots, one self-contained HTML file."""
from .before_after import compare, plots_for
from .comparison import Comparison, Metric, structural_metrics, structure
from .diagram import render_svg
from .html import render_report, write_report

__all__ = [
    "Comparison",
    "Metric",
    "compare",
    "plots_for",
    "render_report",
    "render_svg",
    "structural_metrics",
    "structure",
    "write_report",
]
