"""Post-login hooks (Auth0 Actions semantics): hooks record commands, grants apply the Outcome."""
