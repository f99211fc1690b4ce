"""The protocol core: pure logic plus repository calls; no web framework."""
