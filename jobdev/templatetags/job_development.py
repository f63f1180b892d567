"""Job-development notices for pages of apps below jobdev (My tasks is a placements
page, and placements may not import jobdev)."""

from django import template

from jobdev import nudges

register = template.Library()


@register.simple_tag(takes_context=True)
def pace_note(context):
    """This week's job-development pace nudge of the acting user (jobdev.nudges), or None."""
    request = context.get("request")
    scope = getattr(request, "scope", None)
    return nudges.pace_nudge_for(scope) if scope is not None else None
