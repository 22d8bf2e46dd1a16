"""Credentials: in URLs, recognised by shape, never leaked to or by a hostile server."""
