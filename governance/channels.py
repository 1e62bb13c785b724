"""Outbound notification channels (SMS, government messaging…).

A channel delivers one notification to one user. The backends are chosen by
settings.NOTIFICATION_CHANNELS (dotted paths to `Channel` subclasses; by default the one
NOTIFICATION_CHANNEL_BACKEND); the default `LogChannel` only writes a log line, so
development and tests never reach an outside gateway (the intranet has none).

The contract a real backend keeps:
- it returns only when the gateway accepted the message, and raises `ChannelError` (or any
  exception) otherwise; the notification is retried later with back-off;
- it passes `key` (stable per notification and channel: `notification:<id>:<channel>`) to the
  gateway as the client message id, so that a gateway which deduplicates on it delivers a
  message re-presented after a worker died between the gateway's acceptance and our commit
  only once (docs/background-jobs.md, "Exactly once at the gateway").
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    """The channel could not deliver now; the notification is retried with back-off."""


class Channel:
    # The name in NotificationDelivery.channel; defaults to the class name, lower case.
    name: str = ""

    def send(self, *, recipient, title: str, body: str, link: str, key: str) -> None:
        raise NotImplementedError

    @classmethod
    def channel_name(cls) -> str:
        return cls.name or cls.__name__.lower()


class LogChannel(Channel):
    """Writes the message to the log (no personal data beyond the username)."""

    name = "log"

    def send(self, *, recipient, title: str, body: str, link: str, key: str) -> None:
        logger.info("notification %s to %s: %s | %s | %s", key, recipient.get_username(), title, body, link)


def channels_all() -> list[Channel]:
    """The configured channels, in order; names must be unique."""
    paths = list(getattr(settings, "NOTIFICATION_CHANNELS", None) or [settings.NOTIFICATION_CHANNEL_BACKEND])
    channels = [import_string(path)() for path in paths]
    names = [channel.channel_name() for channel in channels]
    if len(set(names)) != len(names):
        raise ValueError(f"notification channel names must be unique: {names}")
    return channels


def channel_get() -> Channel:
    """The first configured channel (kept for callers that send through one)."""
    return channels_all()[0]
