"""Refusals the accounts use cases word in English, listed here so that extraction puts them
in the catalogues and console pages show them translated (Page.domain_message looks them up
word for word)."""

from __future__ import annotations

from service.web.i18n import N_

ACCOUNTS_REFUSALS = (
    N_("That email address and password do not match an active account."),
    N_("This account is locked after too many failed attempts. Ask an admin to unlock it."),
    N_("That code is not right, or it has been used already."),
    N_("This link is not valid. Check that you copied all of it."),
    N_("This link has been used already; each link works once."),
    N_("This link has expired; ask for a new one."),
    N_("This account has been disabled."),
    N_("This invitation has been accepted already; sign in instead."),
    N_("The two passwords are not the same."),
    N_("The two new passwords are not the same."),
    N_("Your current password is not right."),
    N_(
        "That password is too easy to guess: avoid common words, keyboard patterns and runs "
        "of digits."
    ),
    N_("Choose a password that does not contain your email address."),
    N_("That code does not match; check your device's clock and try the next code."),
    N_("Someone with that email address already has an account."),
    N_("Enter a valid email address."),
    N_("Choose one of the roles."),
    N_("Your role does not allow this page."),
    N_("Your role does not allow this."),
    N_("This form has expired. Go back, reload the page and send it again."),
    N_("Give the token a name of 1 to 100 characters."),
    N_("You have a token of that name already."),
    N_("You cannot change your own role; ask another admin."),
    N_("You cannot disable your own account."),
    N_("There is no such person."),
    N_("There is no such session of yours."),
    N_("There is no such token of yours."),
    N_("Enter the supporter's email address."),
)
