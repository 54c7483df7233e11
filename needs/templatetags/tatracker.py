from django import template

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
    """A person as others read them: the full name, else the username; "—" for
    nobody (an account since deleted)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
