"""A simulated SMS gateway for the fault tests, loaded by real worker processes through
NOTIFICATION_CHANNELS=tests.faults.gateway.GatewayChannel. Its state lives in Redis
(FAULT_GATEWAY_URL, database 9), so the test reads what every worker process sent.

Like a real gateway it deduplicates on the client message id (`key`): a message presented
again after the gateway accepted it is answered "accepted" but reaches the handset once.
Counters (Redis hashes keyed by the notification key):
- presented: send() calls (a kill mid-send, before acceptance, makes this > 1);
- accepted: times the gateway accepted the key (> 1 only when a worker died after the
  gateway accepted but before our commit: the window no system can close alone);
- handset: what the recipient's phone received (once per key, by the deduplication).

A hold ("before" or "after" acceptance, or "mixed": the first call after, the rest before)
blocks send() until the test clears it, so a kill lands mid-send deterministically.
"""
from __future__ import annotations

import os
import time

import redis

from governance.channels import Channel


def gateway() -> redis.Redis:
    return redis.Redis.from_url(os.environ["FAULT_GATEWAY_URL"], decode_responses=True)


class GatewayChannel(Channel):
    name = "sms"

    def send(self, *, recipient, title: str, body: str, link: str, key: str) -> None:
        r = gateway()
        r.hincrby("presented", key, 1)
        self._hold(r, key, "before")
        r.hincrby("accepted", key, 1)
        if r.hsetnx("handset", key, recipient.pk):
            r.rpush("handset_log", key)
        self._hold(r, key, "after")

    @staticmethod
    def _hold(r: redis.Redis, key: str, point: str) -> None:
        mode = r.get("hold")
        if mode == "mixed":
            mode = "after" if r.set("hold_after_taken", key, nx=True) or r.get("hold_after_taken") == key else "before"
        if mode != point:
            return
        r.sadd(f"held_{point}", key)
        while r.get("hold"):
            time.sleep(0.02)


def figures(expected_keys: set[str]) -> dict[str, int]:
    """Lost / sent twice as the recipients and the gateway saw them."""
    r = gateway()
    presented = {k: int(v) for k, v in r.hgetall("presented").items()}
    accepted = {k: int(v) for k, v in r.hgetall("accepted").items()}
    handset = set(r.hkeys("handset"))
    log = r.lrange("handset_log", 0, -1)
    return {
        "expected": len(expected_keys),
        "delivered": len(handset & expected_keys),
        "lost": len(expected_keys - handset),
        "handset_twice": len(log) - len(set(log)),
        "accepted_twice": sum(1 for n in accepted.values() if n > 1),
        "presented_again": sum(1 for n in presented.values() if n > 1),
        "unexpected": len(handset - expected_keys),
    }
