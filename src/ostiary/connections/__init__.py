"""Upstream identity: one module per connection strategy."""
