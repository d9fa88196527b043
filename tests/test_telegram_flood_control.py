"""FloodControl keeps to Telegram's rates: about 30 messages a second
overall (no burst of 60 in the first second), 20 a minute per group (a burst
of 20, then one every 3 s), one a second per private chat (a burst of 3).

Windows are scaled down (time_scale) so a minute's pacing shows in about a
second. The checks are counts in a window with wide margins: the upper
bounds are the claims (a busy machine only slows the sends down), the lower
bounds only that pacing is not far slower than asked."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import NetworkError

from bot.telegram.limits import FloodControl

pytestmark = pytest.mark.asyncio
GROUP = -1001000000555


async def send_times(control: FloodControl, chat_ids: list[int]) -> list[float]:
    """Send to every chat at once; when each send went out, in seconds from the start, in order."""
    started = time.monotonic()
    times: list[float] = []

    async def sent() -> str:
        times.append(time.monotonic() - started)
        return "sent"

    await asyncio.gather(*(control.process_request(sent, (), {}, "sendMessage", {"chat_id": chat}, None) for chat in chat_ids))
    return sorted(times)


def within(times: list[float], seconds: float) -> int:
    return sum(1 for moment in times if moment < seconds)


async def test_about_30_a_second_overall_without_a_burst_of_60():
    second = 0.5  # how long a second lasts here
    control = FloodControl(overall_per_second=30, group_per_minute=0, chat_per_second=0, time_scale=second)
    times = await send_times(control, list(range(1, 61)))  # 60 private chats: no per-chat limit in play
    # A bucket of 3, then 30 a second: 33 in the first second, all 60 after about 1.9 s.
    assert 20 <= within(times, second) <= 36, times
    assert 1.6 * second <= times[-1] <= 4 * second, times


async def test_20_a_minute_per_group_a_burst_then_one_every_3_seconds():
    second = 0.02  # a minute lasts 1.2 s
    control = FloodControl(overall_per_second=0, group_per_minute=20, chat_per_second=0, time_scale=second)
    times = await send_times(control, [GROUP] * 30)
    assert 20 == within(times, 2 * second)  # the burst
    # The other ten come one every 3 s (60 ms here): the tenth after 30 s.
    assert 27 * second <= times[-1] <= 90 * second, times
    assert within(times, 15 * second) <= 25, times
    other_group = await send_times(control, [GROUP - 1])
    assert other_group[0] < 2 * second  # another group has its own 20


async def test_one_a_second_per_private_chat_with_a_burst_of_3():
    second = 0.1
    control = FloodControl(overall_per_second=0, group_per_minute=0, chat_per_second=1, time_scale=second)
    times = await send_times(control, [7] * 8)
    assert 3 == within(times, 0.5 * second)  # the burst: a split answer is not held
    assert 4.5 * second <= times[-1] <= 15 * second, times  # the other five, a second apart
    gaps = [later - earlier for earlier, later in zip(times[2:], times[3:])]
    assert all(gap >= 0.8 * second for gap in gaps), gaps


async def test_a_retried_send_takes_its_groups_quota_once():
    control = FloodControl(overall_per_second=0, group_per_minute=2, chat_per_second=0, backoff=0.01)
    failures = [NetworkError("Bad Gateway")] * 3

    async def flaky() -> str:
        if failures:
            raise failures.pop()
        return "sent"

    async def sent() -> str:
        return "sent"

    async def send(request) -> str:
        return await control.process_request(request, (), {}, "sendMessage", {"chat_id": GROUP}, None)

    started = time.monotonic()
    assert "sent" == await send(flaky)  # four attempts, one message
    assert "sent" == await send(sent)  # so the group's second slot is still free
    assert time.monotonic() - started < 1.0
    with pytest.raises(TimeoutError):  # the third message of the minute does wait: the quota is real
        await asyncio.wait_for(send(sent), 0.3)
