"""Attack protection: brute-force counters (per user and IP) and the per-IP rate limit, DB or Redis backed."""
