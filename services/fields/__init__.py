"""The field types of a démarche's form, and what is made of them.

A field type is one class in ``registry``, in one module per family of types
(``text``, ``dates``, ``numbers``, ``choices``, ``address``, ``household``,
``documents``, ``consent``, ``help_text``); ``base.FieldType`` says what each
provides. The rest of the package never names a type:

- ``schema``: a form as data (steps, blocks, keys, conditions), for the
  models and the blocks, without Django forms;
- ``builder``: the Django form of one step (``StepFormBuilder``);
- ``answers``: the answers of a valid step, and answers back to text.

``services.blocks.FieldsBlock`` offers the registered types to editors, in
the order their modules are imported below: that order is the order of the
editor's menu, and part of the migrations' block definitions.
"""

# isort: off
# The order of the editor's menu, and of the migrations' block definitions.
from . import text, dates, numbers, choices, address, household, documents, consent, help_text  # noqa: F401

# isort: on
from .base import FieldType
from .registry import registry

__all__ = ["FieldType", "registry"]
