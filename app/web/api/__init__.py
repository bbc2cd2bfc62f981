"""The JSON API: runs (create, read), events (watch one train), questions (ask one)."""
