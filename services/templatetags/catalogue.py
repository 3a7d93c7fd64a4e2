from django import template

from services.catalogue import duration_text

register = template.Library()
register.filter("duration", duration_text)
