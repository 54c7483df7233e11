from django import template

from needs.audit import person as audit_person
from reviews.names import heading_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template; None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def heading(text):
    """A section heading of the note in the active language."""
    return heading_label(text) if text else text


@register.filter
def person(user):
    """A person as others read them (`needs.audit.person`); "—" for nobody (an
    account since deleted)."""
    return audit_person(user) or "—"
