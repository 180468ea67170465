"""The Redis broker transport (common/celery_redis.py): one publishing client per channel, messages as kombu's."""

from __future__ import annotations

import os

import pytest
import redis
from kombu import Connection, Exchange, Queue
from kombu.transport import redis as kombu_redis

from common.celery_redis import Transport

pytestmark = pytest.mark.redis
QUEUE = Queue("dca-transport-test", Exchange("dca-transport-test", type="direct"), "dca-transport-test")


@pytest.fixture
def broker_url():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("needs REDIS_TEST_URL (a Redis database the test may write to)")
    return url


@pytest.fixture
def clients_built(monkeypatch):
    built: list[redis.Redis] = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    return built


def _publish_and_receive(connection, messages):
    channel = connection.channel()
    bound = QUEUE(channel)
    bound.declare()
    bound.purge()
    producer = connection.Producer(channel)
    for message in messages:
        producer.publish(message, exchange=QUEUE.exchange, routing_key=QUEUE.routing_key)
    received = [bound.get(no_ack=True).payload for _ in messages]
    assert bound.get(no_ack=True) is None
    bound.delete()
    return channel, received


@pytest.mark.parametrize(("transport", "most_clients"), [(kombu_redis.Transport, None), (Transport, 1)])
def test_a_channel_publishes_through_one_client_and_delivers_as_kombu_does(
    broker_url, clients_built, transport, most_clients
):
    messages = [{"n": n} for n in range(5)]
    with Connection(broker_url, transport=transport) as connection:
        # when five messages are published on one channel, then read back
        channel, received = _publish_and_receive(connection, messages)
        publishing = [client for client in clients_built if client.connection_pool is channel.pool]
    # then they arrive in order, through either transport
    assert received == messages
    # and this transport built one client for all of it; kombu's builds one per command (every publish and get)
    if most_clients is None:
        assert len(publishing) > len(messages)
    else:
        assert len(publishing) == most_clients


def test_a_channel_whose_pool_is_replaced_publishes_through_a_client_of_the_new_pool(broker_url):
    with Connection(broker_url, transport=Transport) as connection:
        channel = connection.channel()
        first = channel._create_client()
        assert channel._create_client() is first and first.connection_pool is channel.pool
        channel._pool = None  # as kombu does when it closes the channel's pools
        second = channel._create_client()
        assert second is not first and second.connection_pool is channel.pool
        # the consumer side (BRPOP, pub/sub) keeps kombu's clients on the asynchronous pool
        assert channel._create_client(asynchronous=True).connection_pool is channel.async_pool
