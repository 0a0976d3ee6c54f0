"""Imports every table so SQLModel.metadata (and Alembic) sees them all. Defines none."""

from service.accounts.models import (  # noqa: F401
    Account,
    ApiToken,
    AuditEntry,
    ConsoleSession,
    EmailLink,
    LoginThrottle,
    RecoveryCode,
)
from service.campaigns.models import (  # noqa: F401
    Campaign,
    CampaignDemand,
    CampaignTemplate,
    CampaignText,
)
from service.delivery.models import (  # noqa: F401
    DeliveryControl,
    DeliveryPace,
    OutboxEvent,
    OutboxMessage,
    PeriodicRun,
)
from service.letters.consent import ConsentRecord  # noqa: F401
from service.letters.drafts import LetterDraft  # noqa: F401
from service.letters.models import (  # noqa: F401
    Letter,
    LetterEvent,
    RateLimitCounter,
    ReplySurvey,
)
from service.representatives.models import (  # noqa: F401
    Chamber,
    Constituency,
    DatasetLoad,
    FrAbroadCountry,
    FrArrondissementConstituency,
    FrCommune,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
    Representative,
    UkPostcode,
)
from service.stats.models import DomainHour, LetterHour, LetterTally  # noqa: F401
from service.studio.models import TemplateVersion  # noqa: F401
from service.tracking.models import AddressHealth, ProviderEvent, WebhookBatch  # noqa: F401
