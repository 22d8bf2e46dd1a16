"""The repository lock between real processes."""
