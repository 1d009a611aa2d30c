"""One MQTT connection per broker, shared by every source that reads or writes through it.

Each topic is subscribed once; its :class:`Subscription` keeps the last message (of any topic the filter
matches, wildcards included) for all the sources that read it. The connection opens on first use or on
:meth:`Connection.start`; when the broker goes away it retries with backoff on the device clock (1 s, 2 s,
4 s … at most a minute) and subscribes all topics again. While it is down, reads and writes fail with the
reason, so the control loop shows the outage instead of acting on values that may be old.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import aiomqtt

from surplus.clock import Clock
from surplus.devices.errors import DeviceError
from surplus.devices.mqtt.broker import Broker
from surplus.logs import get_logger

log = get_logger("mqtt")

FIRST_RETRY = 1.0
MAX_RETRY = 60.0
#: how long connecting may take, and how long the first use waits for the first attempt
CONNECT_TIMEOUT = 5.0
#: at least once: a command to a charger must not get lost, and a value must arrive
QOS = 1
#: CONNACK codes of a refused login (MQTT 3.1.1: bad user name or password, not authorised; MQTT 5: the same)
REFUSED_LOGIN = frozenset({4, 5, 134, 135})


class Subscription:
    """The last message on a topic filter and when it arrived (on the device clock)."""

    def __init__(self, clock: Clock) -> None:
        self.last: tuple[bytes, datetime] | None = None
        self._clock = clock
        self._arrived = asyncio.Event()

    def received(self, payload: bytes) -> None:
        self.last = (payload, self._clock.now())
        self._arrived.set()

    async def first(self, wait: float) -> None:
        """Until a first message has arrived, for at most ``wait`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._arrived.wait()


class Connection:
    def __init__(self, broker: Broker, clock: Clock) -> None:
        self._broker = broker
        self._clock = clock
        self._tls = broker.tls_context()
        self._subscriptions: dict[str, Subscription] = {}
        self._client: aiomqtt.Client | None = None
        #: topics to subscribe in the running session (None while there is none)
        self._new_topics: asyncio.Queue[str] | None = None
        self._attempted = asyncio.Event()
        self._problem = "not connected yet"
        self._task: asyncio.Task[None] | None = None

    @property
    def address(self) -> str:
        return self._broker.address

    def subscribe(self, topic: str) -> Subscription:
        """The subscription of ``topic`` (which may hold + and # wildcards), made on first request."""
        subscription = self._subscriptions.get(topic)
        if subscription is None:
            subscription = self._subscriptions[topic] = Subscription(self._clock)
            if self._new_topics is not None:
                self._new_topics.put_nowait(topic)
        return subscription

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"mqtt {self.address}")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._client = None

    async def ready(self) -> aiomqtt.Client:
        """The connected client; the first use waits for the first attempt, later ones fail at once while down."""
        await self.start()
        if not self._attempted.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CONNECT_TIMEOUT + 1):
                    await self._attempted.wait()
        if self._client is None:
            raise DeviceError(f"mqtt broker {self.address}: {self._problem}")
        return self._client

    async def publish(self, topic: str, payload: str, retain: bool) -> None:
        client = await self.ready()
        try:
            await client.publish(topic, payload, qos=QOS, retain=retain)
        except aiomqtt.MqttError as error:
            reason = self._reason(error)
            raise DeviceError(f"mqtt broker {self.address}: publishing to '{topic}' failed: {reason}") from None
        except ValueError as error:  # paho refuses topics with wildcards
            raise DeviceError(f"mqtt: cannot publish to '{topic}': {error}") from None

    async def _run(self) -> None:
        delay = FIRST_RETRY
        while True:
            try:
                async with self._new_client() as client:
                    self._connected(client)
                    delay = FIRST_RETRY
                    await self._session(client)
            except* Exception as failure:  # whatever broke the session, the connection must come back
                self._disconnected(failure.exceptions[0])
            await self._clock.sleep(delay)
            delay = min(delay * 2, MAX_RETRY)

    def _new_client(self) -> aiomqtt.Client:
        broker = self._broker
        return aiomqtt.Client(
            broker.host,
            broker.port,
            username=broker.user or None,
            password=broker.password or None,
            identifier=broker.client_id or None,
            tls_context=self._tls,
            timeout=CONNECT_TIMEOUT,
        )

    async def _session(self, client: aiomqtt.Client) -> None:
        """Subscribe every topic (again), then deliver messages until the connection is lost."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._new_topics = queue
        for topic in self._subscriptions:
            queue.put_nowait(topic)
        try:
            async with asyncio.TaskGroup() as session:
                session.create_task(self._subscribe(client, queue))
                session.create_task(self._deliver(client))
        finally:
            self._new_topics = None

    async def _subscribe(self, client: aiomqtt.Client, topics: asyncio.Queue[str]) -> None:
        while True:
            await client.subscribe(await topics.get(), qos=QOS)

    async def _deliver(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            for topic, subscription in self._subscriptions.items():
                if message.topic.matches(topic):
                    subscription.received(message.payload)

    def _connected(self, client: aiomqtt.Client) -> None:
        log.info("mqtt broker %s: connected%s", self.address, " again" if self._attempted.is_set() else "")
        self._client = client
        self._attempted.set()

    def _disconnected(self, error: Exception) -> None:
        problem = self._reason(error)
        if problem != self._problem or self._client is not None:
            log.warning("mqtt broker %s: %s; retrying", self.address, problem)
        self._client = None
        self._problem = problem
        self._attempted.set()

    def _reason(self, error: Exception) -> str:
        """What went wrong, in words a user can act on; never the password."""
        code = getattr(error, "rc", None)  # an int (MQTT 3.1.1) or a reason code with one (MQTT 5)
        if getattr(code, "value", code) in REFUSED_LOGIN:
            who = f" of user '{self._broker.user}'" if self._broker.user else ""
            return f"the broker refused the login{who}: wrong user or password, or not authorised"
        text = str(error) or type(error).__name__
        return text.replace(self._broker.password, "***") if self._broker.password else text
