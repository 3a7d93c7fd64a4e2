"""What every SMS provider plugin offers, and what it hands back.

A plugin sends one text to one number and says what the provider answered;
``cms.sms.services`` decides what that changes (log, fallback to e-mail).
"""

from dataclasses import dataclass

from django import forms


class SmsError(Exception):
    """The provider did not take the message: refused it, or could not be reached."""


class SmsRefused(SmsError):
    """The provider answered and refused the message (credentials, credit, number)."""


class SmsUnavailable(SmsError):
    """The provider could not be reached or answered with a server error."""


@dataclass(frozen=True)
class SmsResult:
    """The provider's own identifier of the message, and the segments it
    billed when it says so."""

    provider_id: str
    segments: int | None = None


@dataclass(frozen=True)
class OptionSpec:
    """One setting of a provider, shown as a field of the commune's SMS settings."""

    name: str
    label: str
    help_text: str = ""
    required: bool = False
    secret: bool = False
    default: str = ""

    def form_field(self) -> forms.Field:
        if self.secret:
            return forms.CharField(
                label=self.label,
                help_text=self.help_text,
                required=False,
                strip=True,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
            )
        return forms.CharField(
            label=self.label,
            help_text=self.help_text,
            required=False,
            strip=True,
            initial=self.default,
        )


class BaseProvider:
    """An SMS provider.

    Subclasses set ``id`` (stored in ``SmsSettings.provider``, never renamed),
    ``verbose_name`` and ``options``, and implement ``send``. ``base_url``
    options let the tests point a real plugin at a fake provider server.
    """

    id: str = ""
    verbose_name = ""
    options: tuple[OptionSpec, ...] = ()
    #: Offered in the settings form only when this says so.
    available = True

    def secret_option_names(self) -> set[str]:
        return {option.name for option in self.options if option.secret}

    def missing_options(self, options: dict) -> list[OptionSpec]:
        return [o for o in self.options if o.required and not options.get(o.name)]

    def send(self, *, options: dict, to: str, text: str, sender: str) -> SmsResult:
        """Send ``text`` to ``to`` (E.164, ``+33612345678``) from ``sender``.
        Raise ``SmsRefused`` or ``SmsUnavailable`` when it was not taken."""
        raise NotImplementedError
