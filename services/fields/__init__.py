"""The field types of a démarche's form, and what is made of them.

A field type is one class in ``registry``, in one module per family of types
(``text``, ``dates``, ``numbers``, ``choices``, ``address``, ``household``,
``documents``, ``consent``, ``help_text``, ``identifiers``, ``communes``);
``base.FieldType`` says what each provides. The rest of the package never names a type:

- ``schema``: a form as data (steps, blocks, keys, conditions), for the
  models and the blocks, without Django forms;
- ``context``: who fills the form in, and what they answered elsewhere;
- ``builder``: the Django form of one step (``StepFormBuilder``);
- ``answers``: the answers of a valid step, and answers back to text.

To add a type: subclass ``FieldType`` (or ``SingleFieldType`` for one form
field whose cleaned value is the answer) in a family's module or a new one,
give it a ``FieldBlock`` subclass with a full ``Meta``, implement what the
registry asks for, decorate it with ``@registry.register`` and import its
module below. ``services.blocks.FieldsBlock`` then offers it to editors, in
the order the modules are imported below: that order is the order of the
editor's menu, and part of the migrations' block definitions, so a new type
goes last and comes with the migration Wagtail asks for.
``tests/services/test_field_types.py`` checks every registered type.
"""

# isort: off
# In the order of the editor's menu and of the migrations' block definitions.
from . import (  # noqa: F401
    text,
    dates,
    numbers,
    choices,
    address,
    household,
    documents,
    consent,
    help_text,
    identifiers,
    communes,
)

# isort: on
from .base import FieldType
from .registry import registry

__all__ = ["FieldType", "registry"]
