"""Helpers shared by the domains. Nothing here imports a domain."""
