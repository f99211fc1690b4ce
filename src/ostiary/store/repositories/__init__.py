"""One repository per aggregate, each bound to one tenant when built (see store/repos.py)."""
