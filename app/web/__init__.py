"""HTTP only: routers, the services object and its dependencies, errors, security headers,
static files, observability and rate limits. Nothing imports this package."""
