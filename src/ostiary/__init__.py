"""Ostiary: an OAuth 2.0 / OpenID Connect authorization server speaking Auth0's Authentication API."""

__all__ = ["__version__"]
__version__ = "0.1.0"
