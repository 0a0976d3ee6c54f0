"""One settings object for the whole service, read from REPMAIL_* variables and `.env`.

The flat names (REPMAIL_DATABASE_URL, REPMAIL_SENDGRID_API_KEY, ...) are stable: deployments
and scripts depend on them. Groups of related knobs live in nested models, set with a double
underscore (REPMAIL_LOOKUP__POSTCODES_IO_URL=...).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.secret_key import default_key_file, load_or_create_key

PLACEHOLDER_SECRET = "change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class EmailBackendName(StrEnum):
    file = "file"
    sendgrid = "sendgrid"
    smtp = "smtp"
    memory = "memory"


class LookupSettings(BaseModel):
    """Where postcodes are resolved beyond the locally imported table."""

    # postcodes.io is consulted only when this is set; the embedded default works offline.
    postcodes_io_url: str | None = None
    postcodes_io_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    cache_size: int = Field(default=10_000, ge=0)
    cache_ttl_seconds: int = Field(default=24 * 3600, ge=0)


class RepresentativeSettings(BaseModel):
    """REPMAIL_REPRESENTATIVES__*: the representatives data."""

    # `repmail data status` warns when a chamber's data is older than this.
    stale_after_days: int = Field(default=60, ge=1, le=3650)


class LetterSettings(BaseModel):
    """Supporters' letters: confirmation, similarity holds and rate limits."""

    # The signed confirmation link works this long; unconfirmed letters are purged after it.
    confirmation_valid_days: int = Field(default=7, ge=1, le=60)
    # One reminder when a letter is still unconfirmed this long after it was written.
    reminder_after_hours: int = Field(default=24, ge=1, le=24 * 30)
    # A second attempt re-sends the confirmation email at most this often.
    resend_interval_minutes: int = Field(default=15, ge=1)
    # The personal paragraph is compared with letters to the same representative from the
    # last `similarity_window_days` (at most `similarity_max_candidates` of them).
    similarity_threshold: float = Field(default=0.5, gt=0, le=1)
    similarity_window_days: int = Field(default=60, ge=1)
    similarity_max_candidates: int = Field(default=500, ge=1)
    # Words per shingle. 3 catches copies with up to about one word in six replaced (see
    # tests/letters/test_near_copies.py); changing it needs the stored fingerprints rebuilt.
    shingle_words: int = Field(default=3, ge=2, le=10)
    # A paragraph with fewer words than this is held for review (1: only an empty one).
    min_personal_words: int = Field(default=1, ge=0)
    # Rate limits, counted in the database so they hold across processes.
    letters_per_ip_per_hour: int = Field(default=30, ge=1)
    letters_per_email_per_day: int = Field(default=5, ge=1)
    similarity_checks_per_ip_per_hour: int = Field(default=300, ge=1)
    # Periodic jobs handle at most this many letters per call.
    job_batch_size: int = Field(default=500, ge=1)


class HttpSettings(BaseModel):
    """How `repmail serve` meets the network. Set with REPMAIL_HTTP__<NAME>."""

    # Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed, comma-separated; "*" trusts every peer. Empty (the
    # default) believes no one: the client address is the connection's own, so nobody can
    # choose the address that per-IP rate limits count by writing a header.
    trusted_proxies: str = ""
    # A connection must deliver a request's headers within this time, and the request's body
    # within `body_timeout_seconds` after them; slower clients are cut off (408 for a body).
    header_timeout_seconds: float = Field(default=10, gt=0, le=300)
    body_timeout_seconds: float = Field(default=20, gt=0, le=600)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]


class CampaignSettings(BaseModel):
    """Values used when the first campaign is seeded (organisers edit the rows afterwards)."""

    seed_sender_name: str = Field(default="Calais Border Campaign", max_length=100)
    # The same name in French, for letters to députés and pages in French.
    seed_sender_name_fr: str = Field(default="Campagne pour la frontière de Calais", max_length=100)
    seed_sender_email: str = Field(default="letters@repmail.invalid", max_length=254)
    # A change to the letter sent to representatives is approved by someone other than the
    # organiser who wrote it (REPMAIL_CAMPAIGNS__LETTER_NEEDS_SECOND_APPROVER=false: anyone).
    letter_needs_second_approver: bool = True


class DeliverySettings(BaseModel):
    """How the outbox is worked: leases, retries, concurrency, SendGrid specifics.
    Set with REPMAIL_DELIVERY__<NAME>, e.g. REPMAIL_DELIVERY__CONCURRENCY=32."""

    # A claimed row belongs to its worker this long; then another worker may take it over.
    lease_seconds: int = Field(default=120, ge=5)
    max_attempts: int = Field(default=8, ge=1)
    # Exponential backoff with jitter for transient errors: base * 2^(attempt-1), capped.
    backoff_base_seconds: float = Field(default=30, gt=0)
    backoff_cap_seconds: float = Field(default=3600, gt=0)
    # Mail a supporter is waiting for (confirmation, reminder, notice) is tried again after
    # these delays first (with jitter), then with the backoff above; letters to
    # representatives keep the gentle backoff from their first retry.
    supporter_retry_seconds: tuple[float, ...] = (1.0, 3.0, 8.0)
    # The longest a 429's X-RateLimit-Reset may hold sending back.
    rate_limit_cap_seconds: float = Field(default=900, gt=0)
    # Requests one worker keeps in flight.
    concurrency: int = Field(default=32, ge=1, le=256)
    poll_interval_seconds: float = Field(default=1.0, gt=0)
    # After a claim that found less than a full batch, the next one waits this long, so a
    # steady trickle of new mail goes out in batches (one transaction each) rather than one
    # row per transaction. A claim that fills the batch is followed at once.
    batch_linger_seconds: float = Field(default=0.2, ge=0)
    # After a send whose outcome is unknown (a timeout once the request left), wait this long
    # for a provider event before sending again.
    ambiguity_window_seconds: int = Field(default=900, ge=0)
    # The same wait for mail to supporters (confirmations, reminders, notices): a
    # confirmation that arrives twice costs little, one that arrives a quarter of an hour
    # after a crash may cost the letter. Shorter, so a crash delays it by less.
    supporter_ambiguity_window_seconds: int = Field(default=60, ge=0)
    send_timeout_seconds: float = Field(default=15, gt=0)
    shutdown_grace_seconds: float = Field(default=30, ge=0)
    # `repmail serve` runs one worker in-process: None means "when the database is SQLite".
    in_process_worker: bool | None = None
    # Pacing of letters to representatives (campaigns set letters_per_hour and office hours).
    # Whatever a campaign says, one representative never gets more than this in 24 hours;
    # when the queue cannot make a campaign's deadline, the pace is raised up to it.
    daily_ceiling_per_representative: int = Field(default=120, ge=1)
    # Every letter's planned send time is this long before its campaign's deadline.
    deadline_margin_minutes: int = Field(default=30, ge=0)
    # Letters in flight at once to one receiving domain (parliament.uk, ...), all workers.
    domain_concurrency: int = Field(default=8, ge=1)
    # How often a worker runs the periodic jobs (reminders, purge, missed deadlines); one
    # worker at a time does.
    jobs_interval_seconds: float = Field(default=60, gt=0)
    sendgrid_region: Literal["global", "eu"] = "global"
    sendgrid_sandbox: bool = False
    test_sender: str = Field(default="repmail@localhost", max_length=254)

    def ambiguity_window_for(self, kind: str) -> int:
        """Seconds an unknown outcome waits for provider evidence, by kind of mail."""
        return (
            self.ambiguity_window_seconds
            if kind == "letter"
            else self.supporter_ambiguity_window_seconds
        )

    @model_validator(mode="after")
    def _lease_outlives_a_send(self) -> Self:
        if self.lease_seconds < 2 * self.send_timeout_seconds:
            raise ValueError("delivery.lease_seconds must be at least twice send_timeout_seconds")
        return self


class TrackingSettings(BaseModel):
    """The SendGrid Event Webhook and what is done with the events it brings.
    Set with REPMAIL_TRACKING__<NAME>. The public keys are REPMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY
    (several, comma-separated, while a key is being rotated)."""

    # SendGrid retries a post for up to 24 hours and does not say whether a retry is signed
    # again, so a signature this old is still accepted; idempotency makes a replay harmless.
    max_signature_age_seconds: int = Field(default=25 * 3600, ge=60)
    # A timestamp this far ahead of our clock is refused (clock skew allowance).
    max_clock_skew_seconds: int = Field(default=300, ge=0)
    # SendGrid posts at most 768 kB per batch; anything much larger is not SendGrid.
    max_body_bytes: int = Field(default=4_000_000, ge=1024)
    # A stored batch still unprocessed this long after it came (a crash, an error) is
    # processed again by the periodic job.
    reprocess_after_seconds: int = Field(default=60, ge=0)
    # Hard bounces to one address before it is marked failing (one block is enough).
    failing_after_bounces: int = Field(default=2, ge=1)
    # Mail still deferred after this long flags its receiving domain.
    deferred_alert_hours: float = Field(default=6, gt=0)


class AccountsSettings(BaseModel):
    """People who sign in to the console and the admin API: passwords, second factor,
    sessions, throttling, emailed links. Set with REPMAIL_ACCOUNTS__<NAME>."""

    password_min_length: int = Field(default=12, ge=8, le=128)
    # A console session ends after this long without a request, and this long after sign-in
    # whatever happens.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # Failed sign-ins (per account and per client address) before each further attempt must
    # wait; the wait doubles with each failure, up to the cap.
    login_free_attempts: int = Field(default=3, ge=1)
    login_delay_base_seconds: float = Field(default=2, gt=0)
    login_delay_cap_seconds: float = Field(default=900, gt=0)
    # An account is locked after this many failures in a row, until an admin lifts it.
    lockout_after_failures: int = Field(default=10, ge=2)
    invitation_valid_hours: int = Field(default=72, ge=1, le=24 * 14)
    reset_valid_minutes: int = Field(default=60, ge=5, le=24 * 60)
    recovery_code_count: int = Field(default=10, ge=4, le=20)
    totp_issuer: str = Field(default="repmail", max_length=60)
    # Where invitation and reset emails come from.
    sender_email: str = Field(default="accounts@repmail.invalid", max_length=254)
    sender_name: str = Field(default="repmail", max_length=100)


class PrivacySettings(BaseModel):
    """What is kept about supporters, and for how long. Set with REPMAIL_PRIVACY__<NAME>."""

    # Letter bodies and supporters' contact details are scrubbed this many days after their
    # campaign's deadline; the counts (statuses, representatives, dates) stay.
    retention_days_after_deadline: int = Field(default=90, ge=0, le=3650)
    # Named on the privacy page as the person to ask.
    contact_email: str = Field(default="privacy@repmail.invalid", max_length=254)
    # A supporter's emailed "erase my data" link works this long.
    erasure_link_valid_hours: int = Field(default=24, ge=1, le=24 * 7)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REPMAIL_",
        env_file=".env",
        env_ignore_empty=True,
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Environment = Environment.development
    database_url: str = "sqlite:///./var/repmail.sqlite3"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = PLACEHOLDER_SECRET
    # Where a key generated on first start is kept when REPMAIL_SECRET_KEY is not set
    # (outside production). Unset: beside the SQLite database, or ./var/secret_key.
    secret_key_file: Path | None = None
    email_backend: EmailBackendName | None = None
    outbox_dir: Path = Path("./var/outbox")
    sendgrid_api_key: str | None = None
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = None
    smtp_url: str | None = None
    log_level: str = "INFO"
    # Where the committed, normalised representatives snapshot lives.
    data_dir: Path = PROJECT_ROOT / "representatives"
    # GET /metrics asks for `Authorization: Bearer <this>`; unset, it answers loopback only.
    metrics_token: str | None = None

    lookup: LookupSettings = LookupSettings()
    representatives: RepresentativeSettings = RepresentativeSettings()
    letters: LetterSettings = LetterSettings()
    campaigns: CampaignSettings = CampaignSettings()
    delivery: DeliverySettings = DeliverySettings()
    tracking: TrackingSettings = TrackingSettings()

    http: HttpSettings = HttpSettings()
    accounts: AccountsSettings = AccountsSettings()
    privacy: PrivacySettings = PrivacySettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.env is Environment.production and (
            self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "REPMAIL_SECRET_KEY must be a random value of at least 32 characters "
                "in production; generate one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return self

    @property
    def effective_email_backend(self) -> EmailBackendName:
        if self.email_backend is not None:
            return self.email_backend
        return EmailBackendName.sendgrid if self.sendgrid_api_key else EmailBackendName.file

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_https(self) -> bool:
        return self.base_url.lower().startswith("https://")

    @property
    def secret_key_source(self) -> str:
        """Where the key came from, for the start-up log (never the key itself)."""
        return self._secret_key_source

    _secret_key_source: str = PrivateAttr(default="REPMAIL_SECRET_KEY")


def with_secret_key(settings: Settings) -> Settings:
    """The settings with a real key: the configured one, else one generated on first start
    and kept in a file (see service.secret_key). Production never gets here without a key
    (the validator above refuses the placeholder)."""
    if settings.secret_key != PLACEHOLDER_SECRET:
        return settings
    path = settings.secret_key_file or default_key_file(settings.database_url)
    resolved = settings.model_copy(update={"secret_key": load_or_create_key(path)})
    resolved._secret_key_source = f"file {path}"
    return resolved


@lru_cache
def get_settings() -> Settings:
    return with_secret_key(Settings())
