"""Import/export sections: one module per Auth0 Deploy CLI key."""
