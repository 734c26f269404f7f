"""`python -m bpengine.cli`: the same as the `bpengine` command."""
from . import main

main()
