from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog and learning"

    def ready(self) -> None:
        from catalog.cache import receivers_connect

        receivers_connect()
