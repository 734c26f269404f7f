"""A transformation defined outside bpengine, as an extension would: see delegate.py."""
