"""The rapid-job-search badge's state in templates (the rule: crm.selectors).

{% load rapid_search %}{% rapid_search_badge job_seeker scope.organisation as badge %}"""

from django import template

from crm.selectors import rapid_search_badge as badge_for

register = template.Library()


@register.simple_tag
def rapid_search_badge(job_seeker, organisation=None):
    return badge_for(job_seeker, organisation or None)
