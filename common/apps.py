from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common plumbing"

    def ready(self) -> None:
        from celery.signals import task_prerun
        from django.core.signals import request_started
        from django.db import models
        from rest_framework.serializers import ModelSerializer

        from common.db_router import routing_reset
        from common.serializers import DateTimeField

        # Read-your-writes is per request and per task: each starts with no write seen (common.db_router).
        request_started.connect(routing_reset, dispatch_uid="common.db_router.request")
        task_prerun.connect(routing_reset, dispatch_uid="common.db_router.task", weak=False)
        # Every model datetime a client may write is bounded (common.serializers.DateTimeField says why).
        ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
