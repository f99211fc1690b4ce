"""Token minting: pure claim builders, key material, and the one signer."""
