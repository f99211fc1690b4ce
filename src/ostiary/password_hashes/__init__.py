"""Password hashes made elsewhere (Auth0's bulk import: `password_hash` and `custom_password_hash`): pure
validation and verification, no I/O. Ostiary's own argon2id hashing lives in ostiary/passwords.py."""
