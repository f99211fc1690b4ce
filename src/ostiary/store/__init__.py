"""Storage: SQLAlchemy models, tenant-bound repositories and the unit of work (Repos)."""
