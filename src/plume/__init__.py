"""Plume: a positioning copywriting assistant, in French, driven by a house voice."""

__version__ = "0.1.0"
