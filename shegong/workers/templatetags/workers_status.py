"""``{% registration_badge obj %}``: THE registration status (workers.status) of a person or certificate, as a badge."""

from django import template
from django.utils.html import format_html

from shegong.workers.status import STATUS_BADGES, status_of

register = template.Library()


@register.simple_tag
def registration_badge(obj):
    status = status_of(obj)
    return format_html(
        '<span class="badge {}" data-testid="registration-status">{}</span>', STATUS_BADGES[status], status.label
    )


@register.filter
def registration_status(obj):
    return status_of(obj)
