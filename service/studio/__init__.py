"""The template studio: versioned letter and supporter-email templates per campaign, name and
language (draft, then approved by a person; an approved version never changes), checked when
they are saved rather than when they are sent, and the approved ones used to render mail."""
