"""Benchmarks (not part of `make test`): `make bench` (Ostiary under load beside the machine's ceilings and
panva's oidc-provider) and `python -m bench.mint` (in-process minting). See README."""
