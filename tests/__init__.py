"""Cross-app test suites (end-to-end journeys, security, real processes, browser) and their shared support."""
