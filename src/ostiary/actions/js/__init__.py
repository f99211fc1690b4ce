"""JavaScript Actions: the V8 runtime (in worker processes) and its Node-like globals."""
