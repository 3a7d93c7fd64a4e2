from django import template

from services.pdf import documents_by_post

register = template.Library()


@register.filter
def by_post(submission):
    """The document answers of a request that are to come by post."""
    return documents_by_post(submission)
