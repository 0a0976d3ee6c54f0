"""Delivery: the outbox (the queue), its workers and the email backends.

For other domains (service.py; none of these commits: they join the caller's transaction):
  enqueue(session, email: OutgoingEmail, *, not_before=None, expires_at=None, hold=None,
          pacing=None, campaign_id=None, now=None) -> str (the row's id)
                                                      pacing: a letter's slot (scheduler.py)
  enqueue_many(session, emails: Sequence[Unpaced]) -> list[str]   unpaced mail, in one go
  cancel(session, outbox_id, reason, *, actor="system", now=None) -> OutboxMessage
  forget_letters(session, letter_ids, ...) -> int      erase a deleted letter's rows
  hold(session, outbox_id, reason, ...) / release(session, outbox_id, *, not_before=None, ...)
  requeue(session, outbox_id, reason, ...)            a failed row, once the cause is fixed
  record_provider_outcome(session, outbox_id, state, *, detail=None,
                          provider_message_id=None, ...) -> bool      (tracking)
  provider_reports: provider_rows + apply_provider_outcomes, a webhook batch's rows at once
  letter_delivery(session, letter_id) -> list[OutboxStatus]; status_of(session, outbox_id)
  events_of(session, outbox_id); state_counts(session)
For pausing (switches.py): pause(session, *, reason, ...) / resume(session, ...) /
pause_state(session) -> PauseState everywhere; pause_campaign / resume_campaign /
campaign_pause_state(session, campaign_id) for one campaign's mail.
For one recipient's mail as a whole (recipients.py): hold_recipient(session, key, reason, ...)
(a pause, a failing address, a spam report), release_recipient(session, key, ..., pacing=None)
(re-slotted at that pace), readdress_recipient(session, key, old, new, ...) (a corrected
address: unsent rows follow it, sent ones keep their history).

States (states.py): queued -> sending -> sent -> delivered | deferred | bounced | dropped,
with held, failed, cancelled and expired; `sending` with ambiguous_since set means the outcome
of the last send is unknown. Every move appends an OutboxEvent.

Workers (worker.py, queue.py, backoff.py): `repmail worker` (any number, PostgreSQL: FOR
UPDATE SKIP LOCKED and leases), or one in-process worker under `repmail serve` on SQLite
(embedded.py). Claims also cap letters in flight per receiving domain and, as a backstop,
letters per representative in 24 hours (limits.py); the workers run the periodic jobs under
a lease (jobs.py).

Pacing: pacing.py (pure rules: spacing, office hours, the 24-hour ceiling, the pace that
makes a deadline), scheduler.py (a letter's slot booked at enqueue under its
representative's lock; the pace raised when the deadline needs it). Campaigns' rules and the
`repmail delivery plan` projection are service.letters.plan's: delivery imports no other
domain. What the application must hear about (a letter's row sent) goes through the
listeners the worker is given at start-up (queue.SentListener, jobs.Periodic); letters' rows
joining or leaving the queue through queue_news.listen_to_queue (the dashboard's counts).
"""
