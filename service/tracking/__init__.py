"""Tracking: SendGrid's signed Event Webhook, the provider events it brings, and what they
change (the outbox row, the letter through a listener, the health of a receiving address).
Tracking imports delivery only; what letters must learn goes through listeners.Listener."""
