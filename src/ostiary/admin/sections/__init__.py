"""Import/export sections: one module per top-level key of a Deploy CLI file."""
