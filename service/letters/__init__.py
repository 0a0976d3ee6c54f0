"""The supporter's letter: submission, confirmation by a signed link, status, similarity holds,
guards against abuse, the campaigns' delivery plan, and the periodic jobs.

Use cases (each is one transaction, commits once, and raises typed DomainErrors; service.py
gathers them):
  submit_letter(session, settings, data: LetterIn, *, client_ip, now) -> SubmitOut
  confirm_letter(session, settings, token, *, now) -> LetterStatusOut
  letter_status(session, settings, token) -> LetterStatusOut
  revise_message(session, settings, token, message, *, now) -> LetterStatusOut
  check_similarity(session, settings, data: SimilarityIn, *, client_ip, now) -> SimilarityOut
  preview_letter(session, data: LetterIn) -> RenderedLetter  (drafting.py; writes nothing)
  release_letter(session, settings, letter_id, *, actor, now) / reject_letter(session,
      letter_id, *, actor, now) -> LetterStatusOut                     (organisers)
  record_delivery(session, letter_id, status, *, now, actor) -> bool   (caller commits)
  send_due_reminders / purge_expired / reject_missed(session, now, *, settings)  (worker)
  describe_campaign(session, slug, lang, now) -> CampaignOut (progress.py)

Building blocks, one role each: events.py (state moves and the history, with the actor),
outbox.py (handing emails to delivery), links.py, assessment.py (the personal paragraph),
errors.py, hooks.py (the listener and jobs the application gives the delivery worker),
plan.py (campaigns' pacing and `repmail delivery plan`).

For the pages (drafting.py, progress.py):
  letter_page(session, representative_id, campaign_slug, lang, now) -> LetterPage  (reads)
  preview_draft(session, settings, data, lang, *, client_ip, now) -> DraftPreview
  campaign_progress(session, slug, lang, now) -> CampaignProgress                 (reads)

Status: pending_confirmation -> confirmed -> queued -> sent -> delivered | bounced, with held,
expired and rejected; states.py holds the table of allowed moves.
"""
