"""(commands registered here)."""
