"""`repmail delivery plan` as text for staff: one block per campaign."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.letters.plan import CampaignPlan, RepresentativePlan

LISTED = 10  # late representatives named in a warning


def render_plan(plan: CampaignPlan, now: datetime) -> str:
    zone = ZoneInfo(plan.timezone)
    deadline = plan.deadline.astimezone(zone)
    window = (
        f"office hours {plan.office_hours} (chamber time)"
        if plan.office_hours
        else "round the clock"
    )
    lines = [
        f"{plan.slug}: deadline {deadline:%Y-%m-%d %H:%M} {plan.timezone} ({_utc(plan.deadline)}); "
        f"every letter planned before {_utc(plan.plan_before)}",
        f"  settings: {plan.letters_per_hour} letters/h per representative, {window}; "
        f"ceiling {plan.ceiling} per representative per 24 h",
    ]
    if not plan.representatives:
        lines.append("  queued: none")
        return "\n".join(lines)
    lines.append(f"  queued: {plan.queued} letters to {len(plan.representatives)} representatives")
    worst = plan.worst
    if worst is not None and worst.last_slot is not None:
        lines.append(
            f"  worst case: {_who(worst)}, {worst.queued} letters at {_pace(worst.per_hour)}/h, "
            f"last at {_utc(worst.last_slot)}"
        )
    last = plan.last_send
    if last is not None:
        margin = plan.deadline - last
        when = (
            f"{_span(margin)} before the deadline"
            if margin > timedelta(0)
            else f"{_span(-margin)} AFTER the deadline"
        )
        lines.append(f"  projected last send: {_utc(last)}, {when}")
    raised = plan.raised
    if raised:
        top = max(rep.per_hour for rep in raised)
        lines.append(
            f"  pace used: {plan.letters_per_hour}/h, raised to make the deadline for "
            f"{len(raised)} representative(s), up to {_pace(top)}/h"
        )
    else:
        lines.append(f"  pace used: {plan.letters_per_hour}/h (as configured)")
    lines.extend(_late(plan.late))
    return "\n".join(lines)


def _late(late: list[RepresentativePlan]) -> list[str]:
    if not late:
        return []
    lines = []
    hopeless = [rep for rep in late if rep.ceiling_cannot]
    fixable = [rep for rep in late if not rep.ceiling_cannot]
    if hopeless:
        count = sum(rep.late for rep in hopeless)
        lines.append(
            f"  WARNING: even at the daily ceiling, {count} letter(s) to {len(hopeless)} "
            "representative(s) cannot be sent before the deadline; they will not be sent, "
            "and their writers will be told:"
        )
        lines.extend(
            f"    {_who(rep)}: {rep.late} of {rep.queued} late" for rep in hopeless[:LISTED]
        )
        if len(hopeless) > LISTED:
            lines.append(f"    ... and {len(hopeless) - LISTED} more")
    if fixable:
        count = sum(rep.late for rep in fixable)
        lines.append(
            f"  NOTE: {count} letter(s) to {len(fixable)} representative(s) are planned after "
            "the deadline but a faster pace can still make it: run "
            "`repmail delivery plan --apply`."
        )
    return lines


def _pace(per_hour: float) -> str:
    return f"{per_hour:.1f}".removesuffix(".0")


def _who(rep: RepresentativePlan) -> str:
    return f"{rep.name} ({rep.key})" if rep.name != rep.key else rep.key


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M} UTC"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h", f"{minutes} min"]
    return " ".join(parts)
