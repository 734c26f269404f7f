"""XML namespaces of BPMN 2.0 and of bpengine's own extension attributes."""

__all__ = ["BPMN", "BPMNDI", "DC", "DI", "XSI", "BPE", "NSMAP", "q"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Our extension attributes (approval, mandatory, rank) live here; modelers keep them.
BPE = "http://bpengine.org/schema/bpmn/1.0"

NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "bpe": BPE}


def q(ns: str, local: str) -> str:
    """Clark notation ``{ns}local`` for lxml tag and attribute names."""
    return f"{{{ns}}}{local}"
