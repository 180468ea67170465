"""Machine-readable error codes of the shared plumbing (the ``code`` of an error body)."""

# The database cannot be reached or did not answer within its deadline: retry later (503 with Retry-After).
DATABASE_UNAVAILABLE = "database_unavailable"
# Another dependency (the cache) is down: retry later (503).
SERVICE_UNAVAILABLE = "service_unavailable"
