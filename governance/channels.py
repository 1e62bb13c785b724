"""Outbound notification channels (SMS, government messaging…).

A channel delivers one notification to one user. The backend is chosen by
settings.NOTIFICATION_CHANNEL_BACKEND (a dotted path to a `Channel` subclass); the default
`LogChannel` only writes a log line, so development and tests never reach an outside gateway
(the intranet has none). A real backend raises `ChannelError` on a failure worth retrying.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    """The channel could not deliver now; the send task retries with back-off."""


class Channel:
    def send(self, *, recipient, title: str, body: str, link: str) -> None:
        raise NotImplementedError


class LogChannel(Channel):
    """Writes the message to the log (no personal data beyond the username)."""

    def send(self, *, recipient, title: str, body: str, link: str) -> None:
        logger.info("notification to %s: %s | %s | %s", recipient.get_username(), title, body, link)


def channel_get() -> Channel:
    return import_string(settings.NOTIFICATION_CHANNEL_BACKEND)()
