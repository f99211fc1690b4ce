"""/authorize: a declared pipeline of checks (pipeline.py), prompts, and composed response types."""
