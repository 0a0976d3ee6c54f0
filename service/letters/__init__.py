"""The supporter's letter: submission, confirmation by a signed link, status, similarity holds,
guards against abuse, and the periodic jobs.

Use cases (service.py; each is one transaction, commits once, and raises typed DomainErrors):
  submit_letter(session, settings, data: LetterIn, *, client_ip, now) -> SubmitOut
  confirm_letter(session, settings, token, *, now) -> LetterStatusOut
  letter_status(session, settings, token) -> LetterStatusOut
  revise_message(session, settings, token, message, *, now) -> LetterStatusOut
  check_similarity(session, settings, data: SimilarityIn, *, client_ip, now) -> SimilarityOut
  preview_letter(session, data: LetterIn) -> RenderedLetter            (writes nothing)
  release_letter / reject_letter(session, letter_id, *, now) -> LetterStatusOut  (organisers)
  record_delivery(session, letter_id, status, *, now) -> bool   (delivery; caller commits)
  send_due_reminders(session, now, *, settings=None) -> int     (worker)
  purge_expired(session, now, *, settings=None) -> int          (worker)

For the pages (drafting.py, progress.py):
  letter_page(session, representative_id, campaign_slug, lang, now) -> LetterPage  (reads)
  preview_draft(session, settings, data, lang, *, client_ip, now) -> DraftPreview
  send_letter(session, settings, data, *, client_ip, now) -> SubmitOut  (busy: DatabaseUnavailable)
  campaign_progress(session, slug, lang, now) -> CampaignProgress                 (reads)

Status: pending_confirmation -> confirmed -> queued -> sent -> delivered | bounced, with held,
expired and rejected; states.py holds the table of allowed moves.
"""
