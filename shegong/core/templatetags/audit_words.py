"""``{{ changes|change_words:"app_label.Model" }}``: recorded or requested changes as words (core.audit.words)."""

from django import template

from shegong.core.audit import words

register = template.Library()


@register.filter
def change_words(changes, object_type=""):
    """Field names, choices' labels, related objects' and regions' names, never the stored codes."""
    if not changes:
        return ""
    return words.change_text(changes, object_type)
