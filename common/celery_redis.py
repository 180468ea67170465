"""kombu's Redis transport, publishing through one Redis client per channel instead of a new one per message.

kombu's ``Channel`` builds a new ``redis.Redis`` for every message it publishes (``conn_or_acquire`` calls
``_create_client``), and the client's constructor fills its table of ~170 response callbacks: about a third of
the CPU of queueing a task from a request (docs/performance.md, "Writes"). A client holds no connection of its
own (it borrows one from the channel's pool for each command), so one client serves every publish of its
channel; it is built again when the channel's pool is replaced. The clients of the consumer side
(``asynchronous=True``: BRPOP, pub/sub) are kombu's own.

Used for ``redis://`` brokers (``CELERY_BROKER_TRANSPORT`` in settings); ``rediss://`` keeps kombu's transport,
whose TLS defaults come with that scheme's name.
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    _publish_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._publish_client
        if client is None or client.connection_pool is not self.pool:
            client = self._publish_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
