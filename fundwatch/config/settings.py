"""Installation settings: ``config/fundwatch.yaml``."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from fundwatch.normalize.dates import known_zone


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpSettings(_Strict):
    """Outgoing mail. With no host, messages are written as .eml files to the outbox folder."""

    host: str | None = Field(default=None, description="SMTP server; empty = write .eml files.")
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (implicit, port 465) or none."
    )
    username: str | None = Field(default=None, description="Login name, if the server wants one.")
    password_env: str = Field(
        default="FUNDWATCH_SMTP_PASSWORD",
        description="Name of the environment variable holding the password (never in files).",
    )
    sender: EmailStr = Field(
        default="fundwatch@example.org", description="From: address of digests."
    )
    timeout: float = Field(default=30.0, gt=0, description="Seconds before a send gives up.")


class HttpConfig(_Strict):
    """How fundwatch talks to the portals."""

    contact: EmailStr = Field(
        default="fundwatch@example.org",
        description="Contact address put in the User-Agent so site owners can reach us.",
    )
    timeout: float = Field(default=30.0, gt=0, description="Seconds per request.")
    retries: int = Field(default=3, ge=0, le=10, description="Retries on timeouts, 429 and 5xx.")
    min_interval: float = Field(
        default=1.0, ge=0, description="Minimum seconds between two requests to one host."
    )
    respect_robots: bool = Field(default=True, description="Obey each site's robots.txt.")
    proxy: str | None = Field(
        default=None, description="Outbound proxy URL (some portals block datacenter networks)."
    )
    host_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="Send requests for a host to another base URL (mirrors, tests, demos): "
        "{'bandi.regione.piemonte.it': 'http://127.0.0.1:8000/mirror'}.",
    )


class DaemonSettings(_Strict):
    """How `fundwatch daemon` runs and shares work with other instances."""

    listen: str = Field(
        default="127.0.0.1:8080", description="host:port for feeds, /healthz and /metrics."
    )
    serve_http: bool = Field(default=True, description="Serve the HTTP endpoints in the daemon.")
    lease_seconds: int = Field(
        default=900,
        ge=30,
        description="How long a claim on a source run or message lasts; "
        "a dead instance's work is taken over after this.",
    )
    stagger_seconds: int = Field(
        default=30, ge=0, description="Gap between overdue sources started after a restart."
    )
    max_backoff_hours: float = Field(
        default=24, gt=0, description="Longest wait between tries of a source that keeps failing."
    )
    alert_after_failures: int = Field(
        default=3, ge=1, description="Consecutive failures before the operator is alerted."
    )
    outbox_interval_seconds: int = Field(
        default=300, ge=10, description="How often the outbox is flushed."
    )


class Settings(_Strict):
    """Settings of one installation. Relative paths are relative to the working directory."""

    database_url: str = Field(
        default="sqlite:///var/fundwatch.db",
        description="SQLAlchemy URL: sqlite:///path (default) or postgresql+psycopg://user@host/db.",
    )
    timezone: str = Field(default="Europe/Rome", description="Zone for schedules and display.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8080", description="Base URL under which feeds are served."
    )
    outbox_dir: str = Field(default="var/outbox", description="Folder for .eml files and outbox.")
    feed_dir: str = Field(default="var/feeds", description="Folder where feed files are written.")
    feedback_dir: str = Field(
        default="var/feedback",
        description="Folder of readers' feedback ('not relevant' calls, 'fewer like this' terms), "
        "one file per profile.",
    )
    operator_email: EmailStr = Field(
        default="operator@example.org", description="Who receives operator alerts."
    )
    vanish_after_runs: int = Field(
        default=3, ge=1, description="Complete runs without a call before it counts as vanished."
    )
    http: HttpConfig = Field(default_factory=HttpConfig, description="HTTP client behaviour.")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="Outgoing mail.")
    daemon: DaemonSettings = Field(
        default_factory=DaemonSettings, description="The long-running daemon."
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)
