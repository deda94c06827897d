"""Issue 19 item 7: a broker restart while messages sit in the retry wait queues loses nothing.

ClickHouse refuses every write for real (the sink table is dropped), so each message fails once
and waits in `<queue>.retry.1`; RabbitMQ is then restarted (`rabbitmqctl stop_app`/`start_app`,
the shared broker is down for a few seconds only). Once the table is back, every event must be
a row exactly once: none lost with the wait queue, none written twice."""

from __future__ import annotations

import asyncio

from coffee.events.consumers import schema
from coffee.events.consumers.topology import error_queue, retry_queue

from tests.scenarios.test_consumers import count, running_stack
from tests.support.broker import broker_restarts  # noqa: F401 - a fixture
from tests.support.consumers_harness import wait_for
from tests.support.events_harness import event_batch, queue_depth

BATCHES = 6
# Long enough that the messages are still waiting when the broker is back (a restart of the
# app takes seconds), short enough for a test.
DELAY_SECONDS = 30


def test_a_broker_restart_while_messages_wait_for_a_retry_loses_nothing(
    tmp_path,
    clickhouse,
    broker_restarts,  # noqa: F811
):
    delays = f"{DELAY_SECONDS},{DELAY_SECONDS}"
    with running_stack(tmp_path, clickhouse, retry_delays=delays) as (
        consumers,
        events,
        ch,
        db_events,
        _,
    ):
        [kind] = [k for k in consumers.kinds if k.sinker == "direct"]
        wait = retry_queue(kind, 1)
        ch.command_sync(f"DROP TABLE `{db_events}`.`events`")  # every write now fails
        stub = events.stub()
        ids = [f"r{b}-{i}" for b in range(BATCHES) for i in range(5)]
        for b in range(BATCHES):
            batch = ids[b * 5 : (b + 1) * 5]
            assert stub.dispatch(event_batch(batch), timeout=10).accepted == 5
        assert wait_for(lambda: asyncio.run(queue_depth(wait)) == BATCHES), (
            "every message failed once and waits for its retry"
        )

        broker_restarts()

        assert asyncio.run(queue_depth(wait)) == BATCHES, "the wait queue kept them all"
        ch.command_sync(schema.create_events_table(db_events, "events")[0])
        table = "events"
        assert wait_for(
            lambda: count(ch, db_events, table) >= len(ids), timeout=DELAY_SECONDS + 60
        ), count(ch, db_events, table)
        stored = ch.command_sync(
            f"SELECT arrayStringConcat(arraySort(groupArray(event_id)), ' ')"
            f" FROM `{db_events}`.`events`"
        )
        assert stored.split() == sorted(ids), "each event stored once, before any merge"
        assert asyncio.run(queue_depth(error_queue(kind))) == 0, "nothing dead-lettered"
