"""Auth0 Deploy CLI (a0deploy) files as a0deploy writes them: tenant.yaml or the directory format, files
referred to by relative path, keyword replacement, and what Ostiary leaves out (reported, or refused when it
would make the tenant less safe)."""
