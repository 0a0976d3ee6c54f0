"""The lookup's refusals of a French code postal, word for word, so that the catalogue knows
them and a page in French says them in French (Page.domain_message translates a sentence the
catalogue knows; otherwise it can only show it in English). tests/web/test_find.py checks
that each refusal the lookup gives is one of these."""

from __future__ import annotations

from service.web.i18n import N_

CODE_POSTAL_REFUSALS = (
    N_("Enter your code postal: 5 digits, such as 75001 or 13008."),
    N_("That is too long for a code postal: enter its 5 digits, such as 75001 or 13008."),
    N_(
        "A CEDEX code postal belongs to an organisation's mail, not to a place where people "
        "live. Enter the 5 digits of the code postal of your home address, such as 75001 or "
        "13008."
    ),
    N_(
        "A code postal has 5 digits. If yours starts with 0 (Ain, Aisne, Allier…), include "
        "the 0: 01000, not 1000."
    ),
    N_("A code postal has exactly 5 digits, such as 75001 or 13008."),
    N_(
        "That looks like a UK postcode. To write to an MP, choose the United Kingdom; French "
        "citizens living in the UK choose 'living abroad' and then their country."
    ),
    N_(
        "That is a Corsican commune's INSEE code, not its code postal. Corsican codes postaux "
        "are 5 digits starting with 20, such as 20000 for Ajaccio."
    ),
    N_("Enter only the 5 digits of the code postal, such as 75001 or 13008, without letters."),
    N_("A code postal is 5 digits, such as 75001 or 13008."),
)
