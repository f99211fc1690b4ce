"""Email: Auth0's templates rendered with Liquid, the outbox, and the background sender."""
