"""The Django template backend of the portal: Django's own, except that a
template's context is emptied as soon as the template is rendered.

A Django ``Context`` refers to itself (each dictionary it pushes keeps the
context), so everything a page puts in it (the page and its blocks, the
request, the commune's settings) outlives the render until the garbage
collector's next full collection, which comes rarely in a worker with many
modules loaded. Emptied, the context and what it held are freed at once: a
worker serving pages holds about half as much garbage between collections.
"""

from django.template import TemplateDoesNotExist
from django.template.backends import django as backend
from django.template.context import make_context


class Template(backend.Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()


class DjangoTemplates(backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            backend.reraise(exc, self)
