"""Imports every table so SQLModel.metadata (and Alembic) sees them all. Defines none."""

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
from service.letters.models import Letter, LetterEvent, RateLimitCounter  # noqa: F401
from service.lookup.models import (  # noqa: F401
    FrAbroadCountry,
    FrCommune,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
    UkPostcode,
)
from service.representatives.models import (  # noqa: F401
    Chamber,
    Constituency,
    DatasetLoad,
    Representative,
)
from service.tracking.models import AddressHealth, ProviderEvent, WebhookBatch  # noqa: F401
