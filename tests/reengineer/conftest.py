"""Fixtures of the reengineering tests: the report tests' residence certificate, redesigned."""

from tests.report.conftest import SCENARIO, domisili, redesigned

__all__ = ["SCENARIO", "domisili", "redesigned"]
