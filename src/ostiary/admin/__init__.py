"""Admin use cases shared by the CLI and the import file: each runs in one transaction."""
