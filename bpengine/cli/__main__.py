"""`python -m bpengine.cli`: the same as the `bpengine` command."""

from . import main

if __name__ == "__main__":
    main()
