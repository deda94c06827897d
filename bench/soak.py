"""The chaos soak (issue 8): the whole platform under steady HTTP and event load while a chaos
driver, at seeded random times, injects real faults, then a count of what survived.

- Stack: gateway, api and events as `coffee up` starts them (same environment builder), and
  the consumers through `bench/_soak_consumers.py` (the real ConsumerService with a control
  line, because only the process that owns the embedded chdb engine can detach a database in
  it or count its rows). Redis is reached through a TCP fault proxy.
- Load: event clients send batches of 100 valid events with unique ids and resend a batch
  until it is answered OK, as a mobile client does; an event is "accepted" once answered OK.
  HTTP clients search through the gateway and log in again every few requests (a new session
  misses L1 and goes to Redis, or to the identity service while Redis is away).
- Faults: Redis cut (proxy drops every connection), RabbitMQ restarted (`rabbitmqctl
  stop_app`/`start_app`, always restarted in a finally), the events database detached from
  the consumers' ClickHouse and attached again, a consumer killed with SIGKILL and restarted,
  an events process sent SIGTERM (it must exit 0) and restarted, an events process killed with
  SIGKILL while it appends to its write-ahead log (the broker stopped) and restarted, a poison
  row (a launch event ClickHouse refuses, by a table constraint, sent with 99 good ones that
  make the buffered launch kind flush): the bad row's message must be dead-lettered, the rest
  written.
- End: load stops, queues drain, dead letters are replayed as the runbook says (`coffee dlq
  replay`), the consumers stop; every accepted id must be a row of `events.events` once. The
  poison rows' dead letters are counted (they must equal the poison rows sent) and purged, not
  replayed: no fix can make ClickHouse take them.

The spec allows no 5xx for any of these faults (Q1: Redis down falls back to the identity
service; the broker and ClickHouse are behind the write-ahead log and the queues), so every
5xx counts; `http_5xx_outside_fault_windows` separates the ones no fault can explain.

Budget: lost == 0, duplicates == 0, http_5xx_outside_fault_windows == 0 on a 10-minute run.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import grpc
from coffee import demo_http, up
from coffee.events.consumers import dlq
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.proto import events_pb2, events_pb2_grpc

from bench._net import free_port, wait_port
from bench._soak_consumers import ControlledConsumers
from tests.support.cleanup import (
    default_kinds,
    delete_api_listener_queues,
    delete_topology,
    drop_pg_database,
)
from tests.support.faultproxy import FaultProxy

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
FAULTS = (
    "redis_cut", "rabbitmq_restart", "clickhouse_detach", "consumer_kill", "events_sigterm",
    "events_sigkill", "poison_row",
)  # fmt: skip
POISON_PREFIX = "poison-"
LAUNCH_QUEUE = "grpc_clickhouse_launch_event_q"  # a buffered kind (topology.toml)
LAUNCH_TABLE = "`logs`.`launch_log_events`"
# A fault's window is extended by this much: clients see its effect a little after it ends.
WINDOW_GRACE = 5.0


def _rabbitmqctl(*args: str) -> None:
    env = dict(os.environ)
    # The broker runs as the rabbitmq user; its CLI needs that user's Erlang cookie.
    if not os.path.exists(os.path.expanduser("~/.erlang.cookie")):
        env["HOME"] = "/var/lib/rabbitmq"
    subprocess.run(["rabbitmqctl", *args], env=env, check=True, capture_output=True, timeout=120)


class Stack:
    """The four roles as child processes, each restartable on its own."""

    def __init__(self, data_dir: str, redis_port: int) -> None:
        self.prefix = f"soak_{uuid.uuid4().hex[:8]}."
        self.log_dir = os.path.join(data_dir, "logs")
        os.makedirs(self.log_dir)
        env = up._environment(data_dir, {
            "COFFEE_DATA_DIR": data_dir, "NAME_PREFIX": self.prefix,
            "PG_DB": self.prefix.rstrip(".").replace(".", "_"), "REDIS_KEY_PREFIX": self.prefix,
            "REDIS_CLUSTER_ADDRESSES": f"127.0.0.1:{redis_port}", "AMQP_URI": AMQP,
            "SERVER_PORT": str(free_port()), "PORT_GATEWAY": str(free_port()),
            "PORT": str(free_port()), "GIN_PORT": str(free_port()),
            "CONSUMER_METRICS_PORT": str(free_port()),
            "API_ADMIN_PORT": str(free_port()), "GATEWAY_ADMIN_PORT": str(free_port()),
            "EVENTS_ADMIN_PORT": str(free_port()),
        })  # fmt: skip
        self.env = env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.consumers: ControlledConsumers | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.env['SERVER_PORT']}"

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT_GATEWAY']}"

    def start(self) -> None:
        up._prepare_api(self.env)
        for role in ("api", "gateway", "events"):
            self.start_role(role)
        self.start_consumers()
        for role in ("api", "gateway"):  # heartbeat changes: the admin listeners
            up._heartbeat_on(f"http://127.0.0.1:{up._admin_port(self.env, role)}")

    def start_role(self, role: str) -> None:
        env = dict(self.env)
        port = {"api": "SERVER_PORT", "gateway": "PORT_GATEWAY", "events": "PORT"}[role]
        env["PORT"] = self.env[port]
        log = open(os.path.join(self.log_dir, f"{role}.log"), "ab")  # noqa: SIM115
        self.procs[role] = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", role], env=env, stdout=log, stderr=log
        )
        wait_port(int(self.env[port]), timeout=60)

    def stop_role(self, role: str, grace: float = 30) -> int:
        return up.stop_process(self.procs[role], grace)

    def start_consumers(self) -> None:
        log_path = os.path.join(self.log_dir, "consumers.log")
        self.consumers = ControlledConsumers(self.env, log_path)

    def control(self, line: str) -> str:
        assert self.consumers is not None
        return self.consumers.control(line)

    def kill_consumers(self) -> None:
        assert self.consumers is not None
        self.consumers.kill()

    def stop_consumers(self) -> int:
        assert self.consumers is not None
        return self.consumers.stop()

    def stop(self) -> None:
        if self.consumers is not None and self.consumers.running:
            self.stop_consumers()
        for role, proc in self.procs.items():
            if proc.poll() is None:
                self.stop_role(role)

    def cleanup(self) -> None:
        kinds = default_kinds(self.prefix)
        asyncio.run(delete_topology(AMQP, kinds, self.prefix))
        asyncio.run(delete_api_listener_queues(AMQP, self.prefix + "coffee.dx"))
        asyncio.run(drop_pg_database(self.env["PG_DB"]))
        # The data goes (hundreds of MB per run); the logs stay for whoever reads the result.
        data_dir = self.env["COFFEE_DATA_DIR"]
        for name in os.listdir(data_dir):
            if name != "logs":
                path = os.path.join(data_dir, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)


class Workers:
    """A load's client threads and the switch that stops them."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)


@dataclass
class EventLoad:
    """Clients that resend a batch until it is answered OK; `accepted` holds the ids."""

    port: int
    clients: int = 2
    batches_per_second: float = 10.0
    accepted: set[str] = field(default_factory=set)
    refusals: int = 0
    workers: Workers = field(default_factory=Workers)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        for client in range(self.clients):
            self.workers.spawn(self._client, client)

    def stop(self) -> None:
        self.workers.stop(120)  # a batch in flight is resent until answered, up to 120 s

    def _client(self, client: int) -> None:
        channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        stub = events_pb2_grpc.EventServiceStub(channel)
        header = events_pb2.Header(bbDeviceId=client + 1, deviceId=f"soak-{client}")
        run = uuid.uuid4().hex[:6]
        interval = 1.0 / self.batches_per_second
        batch_no = 0
        while not self.workers.stopping.is_set():
            started = time.monotonic()
            now = str(time.time_ns() // 1_000_000)
            ids = [f"{run}-{client}-{batch_no}-{i}" for i in range(100)]
            events = [events_pb2.Event(id=i, timestamp=now, name="soak") for i in ids]
            request = events_pb2.Events(header=header, events=events)
            deadline = time.monotonic() + 120  # a real client gives up at some point too
            while time.monotonic() < deadline:
                try:
                    response = stub.dispatch(request, timeout=10)
                except grpc.RpcError:
                    with self._lock:
                        self.refusals += 1
                    time.sleep(0.3)
                    continue
                if response.accepted == len(ids):
                    with self._lock:
                        self.accepted.update(ids)
                break
            batch_no += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
        channel.close()


@dataclass
class HttpLoad:
    """Searches through the gateway; a new login every `relogin_every` requests."""

    api: str
    gateway: str
    secret: str
    clients: int = 2
    requests_per_second: float = 10.0
    relogin_every: int = 20
    results: list[tuple[float, int]] = field(default_factory=list)  # (time, status; 0 = no answer)
    workers: Workers = field(default_factory=Workers)

    def start(self) -> None:
        end = int(time.time() * 1000) + 86_400_000
        for client in range(self.clients):
            name = f"Soak {client}"
            partner = demo_http.create_partner(self.api, self.secret, name, end)
            email, password = demo_http.create_user(self.api, self.secret, name, partner)
            self.workers.spawn(self._client, email, password)

    def stop(self) -> None:
        self.workers.stop(60)

    def _login(self, email: str, password: str) -> str | None:
        status, body = demo_http.login(self.gateway, email, password)
        self._record(status)
        return body["token"] if status == 200 and isinstance(body, dict) else None

    def _record(self, status: int) -> None:
        self.results.append((time.monotonic(), status))  # list.append is atomic

    def _client(self, email: str, password: str) -> None:
        interval = 1.0 / self.requests_per_second
        token = None
        sent = 0
        while not self.workers.stopping.is_set():
            started = time.monotonic()
            if token is None or sent % self.relogin_every == 0:
                token = self._login(email, password) or token
            if token is not None:
                headers = {"authorization": f"Bearer {token}", "x-bb-clientid": "soak"}
                try:
                    status, _ = demo_http._call(
                        self.gateway, "POST", demo_http.SEARCH, {"filters": []}, headers
                    )
                except OSError:
                    status = 0
                self._record(status)
            sent += 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))


@dataclass
class Fault:
    name: str
    start: float
    end: float
    detail: str = ""


class Chaos:
    """Injects one fault at a time at seeded random moments; every kind at least once when
    the run is long enough."""

    def __init__(
        self, stack: Stack, redis: FaultProxy, seed: int, progress,
        kinds: tuple[str, ...] = FAULTS, gap: tuple[float, float] = (10.0, 25.0),
    ) -> None:  # fmt: skip
        self.stack, self.redis, self.progress = stack, redis, progress
        self.random = random.Random(seed)
        self.kinds, self.gap = kinds, gap
        self.faults: list[Fault] = []
        self.broker_stopped = False
        self.poison_sent: list[str] = []
        self.launch_sent: list[str] = []  # the good rows sent with the poison

    def run(self, until: float) -> None:
        order = list(self.kinds)
        self.random.shuffle(order)
        while True:
            time.sleep(self.random.uniform(*self.gap))
            if time.monotonic() + 40 > until:
                return
            name = order[len(self.faults) % len(order)]
            start = time.monotonic()
            detail = getattr(self, name)()
            self.faults.append(Fault(name, start, time.monotonic(), detail))
            self.progress(f"fault {len(self.faults)}: {name} {detail}".rstrip())

    def redis_cut(self) -> str:
        self.redis.cut()
        time.sleep(self.random.uniform(5, 15))
        self.redis.restore()
        return ""

    def rabbitmq_restart(self) -> str:
        _rabbitmqctl("stop_app")
        self.broker_stopped = True
        try:
            time.sleep(self.random.uniform(5, 15))
        finally:
            _rabbitmqctl("start_app")
            self.broker_stopped = False
        return ""

    def clickhouse_detach(self) -> str:
        answer = self.stack.control("sql DETACH DATABASE `events`")
        time.sleep(self.random.uniform(5, 15))
        return f"(detach: {answer}; attach: {self.stack.control('sql ATTACH DATABASE `events`')})"

    def consumer_kill(self) -> str:
        self.stack.kill_consumers()
        time.sleep(self.random.uniform(1, 5))
        self.stack.start_consumers()
        return ""

    def events_sigterm(self) -> str:
        code = self.stack.stop_role("events")
        time.sleep(self.random.uniform(1, 3))
        self.stack.start_role("events")
        return f"(exit {code})"

    def events_sigkill(self) -> str:
        """SIGKILL of the events process in the middle of an append (issue 19): the broker is
        stopped first so the intake writes every batch to its write-ahead log, then the kill
        lands at a random moment of that stream of appends; the next process cuts a torn tail
        off and replays the rest. Answered batches were fsynced: none may be lost."""
        wal = os.path.join(self.stack.env["EVENT_WAL_DIR"], "publish.wal")
        _rabbitmqctl("stop_app")
        self.broker_stopped = True
        try:
            time.sleep(self.random.uniform(2, 5))
            self.stack.procs["events"].kill()
            self.stack.procs["events"].wait(30)
            logged = os.path.getsize(wal) if os.path.exists(wal) else 0
        finally:
            _rabbitmqctl("start_app")
            self.broker_stopped = False
        self.stack.start_role("events")
        return f"(log {logged} bytes at the kill)"

    def poison_row(self) -> str:
        """A row ClickHouse refuses inside a buffered kind (issue 19): the launch table gets a
        constraint no poison id meets, then one poison launch event and 99 good ones are sent,
        so the launch kind's buffer reaches its 100 rows and flushes with the poison inside.
        The flush is split until the poison message is found and dead-lettered."""
        answer = self.stack.control(
            f"sql ALTER TABLE {LAUNCH_TABLE} ADD CONSTRAINT IF NOT EXISTS soak_poison"
            f" CHECK NOT startsWith(event_id, '{POISON_PREFIX}')"
        )
        run = uuid.uuid4().hex[:6]
        poison = f"{POISON_PREFIX}{run}"
        good = [f"launch-{run}-{i}" for i in range(99)]
        stub = events_pb2_grpc.EventServiceStub(
            grpc.insecure_channel(f"127.0.0.1:{self.stack.env['PORT']}")
        )
        _send_launch_events(stub, [poison])
        for start in range(0, len(good), 33):
            _send_launch_events(stub, good[start : start + 33])
        self.poison_sent.append(poison)
        self.launch_sent.extend(good)
        return f"(constraint: {answer})"

    def restore(self) -> None:
        self.redis.restore()
        if self.broker_stopped:
            _rabbitmqctl("start_app")


def _send_launch_events(stub: events_pb2_grpc.EventServiceStub, ids: list[str]) -> None:
    """One batch of launch events, resent until answered OK (as EventLoad's clients do)."""
    header = events_pb2.Header(bbDeviceId=99, deviceId="soak-poison")
    now = str(time.time_ns() // 1_000_000)
    events = [events_pb2.Event(id=i, timestamp=now, launchEvent=b"\x0a\x01x") for i in ids]
    request = events_pb2.Events(header=header, events=events)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if stub.dispatch(request, timeout=10).accepted == len(ids):
                return
        except grpc.RpcError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"launch events {ids[0]}.. not accepted within 120 s")


async def _poison_dead_letters(settings: ConsumerSettings, sent: int, timeout: float) -> int:
    """Waits (a buffered flush can be a minute away) until the launch kind's dead-letter queue
    holds as many messages as poison rows were sent, then counts the ones that carry a poison
    row and were refused by ClickHouse, and purges the queue: replay cannot help them."""
    if not sent:  # a run without the fault: its dead letters are replayed like any others
        return 0
    dead = f"error.{settings.name_prefix}{LAUNCH_QUEUE}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (await dlq.depths(settings)).get(dead, 0) < sent:
        await asyncio.sleep(1)
    held = await dlq.peek(settings, dead, 10_000)
    poison = sum(
        POISON_PREFIX in m["body"] and m["reason"] == "refused by ClickHouse" for m in held
    )
    await dlq.purge(settings, dead)
    return poison


async def _drained(settings: ConsumerSettings, timeout: float) -> bool:
    """Waits until no kind's main or wait queue holds a message."""
    kinds = default_kinds(settings.name_prefix)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            total = 0
            for kind in kinds:
                if kind.sinker == "buffered":
                    continue  # their messages stay unacked until a flush: counted at stop
                names = [kind.queue] + [f"{kind.queue}.retry.{n}" for n in (1, 2)]
                for name in names:
                    queue = await channel.declare_queue(name, passive=True)
                    total += queue.declaration_result.message_count
        if total == 0:
            return True
        await asyncio.sleep(1)
    return False


async def _replay_dead_letters(settings: ConsumerSettings) -> int:
    moved = 0
    for queue, depth in (await dlq.depths(settings)).items():
        if depth:
            moved += await dlq.replay(settings, queue, None)
    return moved


def _in_windows(at: float, faults: list[Fault]) -> bool:
    return any(f.start <= at <= f.end + WINDOW_GRACE for f in faults)


def run(
    quick: bool,
    progress: Callable[[str], None],
    minutes: float | None = None,
    seed: int = 7,
    faults: tuple[str, ...] = FAULTS,
    gap: tuple[float, float] = (10.0, 25.0),
    work_dir: str | None = None,
) -> dict[str, Any]:
    """`faults` and `gap` (seconds between faults) let a test aim a short run at some faults;
    `work_dir` (default: a new directory under /tmp) holds the data, then the logs, which stay."""
    minutes = minutes if minutes is not None else (1.0 if quick else 10.0)
    data_dir = work_dir or tempfile.mkdtemp(prefix="coffee-soak-")
    redis = FaultProxy(("127.0.0.1", 6379))
    stack = Stack(data_dir, redis.port)
    settings = ConsumerSettings(amqp_uri=AMQP, name_prefix=stack.prefix)
    chaos = Chaos(stack, redis, seed, progress, faults, gap)
    events = EventLoad(int(stack.env["PORT"]))
    http = HttpLoad(stack.api, stack.gateway, stack.env["GATEWAY_SIGNATURE_SECRET"])
    try:
        progress(f"starting the stack in {data_dir}")
        stack.start()
        events.start()
        http.start()
        progress(f"load running; chaos for {minutes:g} min")
        chaos.run(until=time.monotonic() + minutes * 60)
        progress("stopping the load")
        http.stop()
        events.stop()
        drained = asyncio.run(_drained(settings, 180))
        poison_dead = asyncio.run(_poison_dead_letters(settings, len(chaos.poison_sent), 120))
        replayed = asyncio.run(_replay_dead_letters(settings))
        if replayed:
            progress(f"replayed {replayed} dead-lettered messages")
            drained = asyncio.run(_drained(settings, 180))
        ids_path = os.path.join(data_dir, "ids.txt")
        stack.control(f"ids `events`.`events` {ids_path}")
        with open(ids_path) as f:
            rows = [line.strip() for line in f]
        final = int(stack.control("sql SELECT count() FROM `events`.`events` FINAL").split()[1])
        # The poison's flush wrote the good launch rows (the dead letter came after it).
        launch_path = os.path.join(data_dir, "launch_ids.txt")
        stack.control(f"ids {LAUNCH_TABLE} {launch_path}")
        with open(launch_path) as f:
            launch_rows = {line.strip() for line in f}
        consumers_exit = stack.stop_consumers()
    finally:
        chaos.restore()
        http.workers.stopping.set()
        events.workers.stopping.set()
        stack.stop()
        redis.close()
        stack.cleanup()
    distinct = set(rows)
    fives = [(at, s) for at, s in http.results if s >= 500 or s == 0]
    outside = [x for x in fives if not _in_windows(x[0], chaos.faults)]
    return {
        "minutes": minutes,
        "http_requests": len(http.results),
        "http_errors_5xx": len(fives),
        "http_5xx_outside_fault_windows": len(outside),
        "events_accepted": len(events.accepted),
        "event_refusals_retried": events.refusals,
        "rows": len(distinct),
        "lost": len(events.accepted - distinct),
        "duplicates": final - len(distinct),
        "duplicates_before_merge": len(rows) - len(distinct),
        "dead_letters_replayed": replayed,
        "poison_rows_sent": len(chaos.poison_sent),
        "dead_letters_poison": poison_dead,
        "poison_rows_stored": len(launch_rows & set(chaos.poison_sent)),
        "launch_rows_sent_with_poison": len(chaos.launch_sent),
        "launch_rows_lost": len(set(chaos.launch_sent) - launch_rows),
        "queues_drained": drained,
        "consumers_exit_code": consumers_exit,
        "faults_injected": len(chaos.faults),
        "faults_by_kind": dict(collections.Counter(f.name for f in chaos.faults)),
        "faults": [
            {
                "name": f.name,
                "at_s": round(f.start - chaos.faults[0].start, 1),
                "seconds": round(f.end - f.start, 1),
                "detail": f.detail,
            }
            for f in chaos.faults
        ],
        "logs": stack.log_dir,
    }


def summary(r: dict[str, Any]) -> str:
    met = (
        r["lost"] == 0
        and r["duplicates"] == 0
        and r["http_5xx_outside_fault_windows"] == 0
        and r["dead_letters_poison"] == r["poison_rows_sent"]
        and r["launch_rows_lost"] == 0
    )
    kinds = sorted({f["name"] for f in r["faults"]})
    return "\n".join([
        f"soak: {r['minutes']:g} min, {r['faults_injected']} faults ({', '.join(kinds)})",
        f"  http: {r['http_requests']} requests, {r['http_errors_5xx']} 5xx/no answer"
        f" ({r['http_5xx_outside_fault_windows']} outside fault windows)",
        f"  events: {r['events_accepted']} accepted, {r['rows']} rows, lost {r['lost']},"
        f" duplicates {r['duplicates']} ({r['duplicates_before_merge']} before the merge),"
        f" dead letters replayed {r['dead_letters_replayed']}",
        f"  poison: {r['poison_rows_sent']} rows sent, {r['dead_letters_poison']} dead letters,"
        f" {r['launch_rows_lost']} of {r['launch_rows_sent_with_poison']} good launch rows lost",
        f"  budget (lost 0, duplicates 0, no 5xx outside faults, dead letters = poison rows):"
        f" {'met' if met else 'MISSED'}",
    ])  # fmt: skip
