"""Analysis: metrics, soundness and the approval steps that add nothing."""
from .finding import Finding, Saving
from .rules import RULE_IDS, RULES, analyze

__all__ = ["Finding", "Saving", "RULES", "RULE_IDS", "analyze"]
