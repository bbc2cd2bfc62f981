"""htmx endpoints that answer a server-rendered fragment: an answer, the cost panel, a quiz."""
