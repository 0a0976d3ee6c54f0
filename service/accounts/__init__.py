"""People who run the campaign: accounts, roles and permissions, passwords and second factor,
console sessions, API tokens, emailed invitation and reset links, and the audit log."""
