"""The shipped benchmark: locust load, EXPLAIN checks and the framework-free limit (make bench, make bench-limit)."""
