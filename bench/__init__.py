"""`make bench`: Ostiary under load beside the machine's ceilings and panva's oidc-provider (see README)."""
