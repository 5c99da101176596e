"""E-mail notifications for welfarekit (entry point ``smtp``): the outbox over SMTP.

welfarekit writes each notification to its outbox in the transaction of the step it tells
of; :meth:`welfarekit.WelfareKit.deliver_notifications` (or ``welfarekit outbox dispatch``)
hands the due ones to this notifier, which sends each as one e-mail over SMTP, with
STARTTLS (or implicit TLS) and login as configured. A message the server refuses, or a
server that is down, raises: the outbox keeps the message, tries again after a growing wait
and, after the last try, keeps it visible as failed (``welfarekit outbox failed``). A sent
message is marked delivered once; its ``Message-ID`` comes from the notification's id, so
a repeat after a crash can be recognised.

The text is welfarekit's fixed sentence for the topic — "You have a new booking
confirmation in the welfare service." — never whom, why or which service.

Settings (``Settings(notifier="smtp", plugins=[..., "smtp"], adapter_options={"smtp":
{...}})``, or the environment variables in brackets)::

    host        the SMTP server (WELFAREKIT_SMTP_HOST), required
    port        587 (WELFAREKIT_SMTP_PORT)
    security    "starttls" (default), "tls" (implicit, port 465) or "none"
                (WELFAREKIT_SMTP_SECURITY)
    username    and password, to log in (WELFAREKIT_SMTP_USERNAME, WELFAREKIT_SMTP_PASSWORD)
    sender      the From address (WELFAREKIT_SMTP_SENDER), required
    subject     "Opiskeluhuolto / Student welfare"
    timeout     seconds, 10
    student_address   a template for students' addresses, which the directory does not
                keep, e.g. "{id}@opiskelija.harjula.fi" (WELFAREKIT_SMTP_STUDENT_ADDRESS)
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit.errors import ConfigurationError, NotFound
from welfarekit.hookspecs import hookimpl
from welfarekit.model import PersonKind

if TYPE_CHECKING:
    from welfarekit.notify import Notification
    from welfarekit.plugins import AdapterRegistry

__all__ = ["WELFAREKIT_HOOK_API", "NoAddress", "SmtpNotifier", "SmtpSettings"]

WELFAREKIT_HOOK_API = ">=1.2,<2"

_ENV = "WELFAREKIT_SMTP_"
_SECURITY = ("starttls", "tls", "none")


class NoAddress(NotFound):
    """The recipient has no e-mail address: retried, then kept visible as failed."""


@attrs.frozen(kw_only=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    subject: str = "Opiskeluhuolto / Student welfare"
    timeout: float = 10.0
    student_address: str | None = None

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> SmtpSettings:
        """The options, falling back to ``WELFAREKIT_SMTP_*``; a missing host or sender, an
        unknown option or security mode raises :class:`ConfigurationError`."""
        env = os.environ if environ is None else environ
        known = {f.name for f in attrs.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigurationError(f"smtp: unknown options {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {}
        for name in known:
            value = options.get(name, env.get(_ENV + name.upper()))
            if value is not None and value != "":
                values[name] = value
        for required in ("host", "sender"):
            if required not in values:
                raise ConfigurationError(
                    f"smtp: set {required!r} in adapter_options['smtp'] or {_ENV}{required.upper()}"
                )
        try:
            values["port"] = int(values.get("port", 587))
            values["timeout"] = float(values.get("timeout", 10.0))
        except ValueError as error:
            raise ConfigurationError(f"smtp: {error}") from None
        if values.get("security", "starttls") not in _SECURITY:
            raise ConfigurationError(f"smtp: security is one of {list(_SECURITY)}")
        return cls(**values)


class SmtpNotifier:
    """Sends each notification as one e-mail (the ``welfarekit_notify`` hook)."""

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.settings = SmtpSettings.from_options(options or {})

    def address_of(self, notification: Notification) -> str:
        if notification.address:
            return notification.address
        template = self.settings.student_address
        if template and notification.recipient.kind is PersonKind.STUDENT:
            return template.format(id=notification.recipient.id)
        raise NoAddress(f"{notification.recipient} has no e-mail address")

    def message(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = self.address_of(notification)
        message["Subject"] = self.settings.subject
        message["Date"] = formatdate(notification.created_at.timestamp(), localtime=False)
        message["Message-ID"] = f"<{notification.id}@welfarekit>"
        message.set_content(notification.text)
        return message

    @hookimpl
    def welfarekit_notify(self, notification: Notification) -> bool:
        message = self.message(notification)
        settings = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=context)  # fmt: skip
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
        return True


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_notifier("smtp", SmtpNotifier, description="e-mail over SMTP (STARTTLS, login)")
