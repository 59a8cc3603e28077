"""A static site generator for crypto news sites."""

__version__ = "0.1.0"
