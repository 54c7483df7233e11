"""`{% statistics_fragment key %}…{% endstatistics_fragment %}`: the enclosed part
of a report page from the statistics cache (`needs.reports.cache.fragment_key`),
rendered and stored on a miss; rendered every time when the key is None. Unlike
Django's `{% cache %}`, a failing cache does not fail the page."""

from django import template
from django.utils.safestring import mark_safe

from needs.reports import cache

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        key = self.key.resolve(context)
        html = cache.fragment_get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.fragment_set(key, html)
        return mark_safe(html)  # noqa: S308 (what the enclosed template rendered)


@register.tag
def statistics_fragment(parser, token):
    _, key = token.split_contents()
    nodelist = parser.parse(("endstatistics_fragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(key))
