from django.apps import AppConfig


class SeedConfig(AppConfig):
    """Demo and scale data (``manage.py seed_demo``); no models of its own."""

    name = "seed"
    verbose_name = "Demo and scale data"
