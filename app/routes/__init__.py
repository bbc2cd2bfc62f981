"""HTTP routes: thin handlers that parse, call the domain, and render or answer JSON."""
