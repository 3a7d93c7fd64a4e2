"""What every identity provider plugin offers, and what it hands back.

A plugin speaks one protocol with one kind of provider (FranceConnect for
citizens, ProConnect for staff). It never reads a session nor touches an
account: ``accounts.identity.flow`` keeps the ``state`` and ``nonce`` of a
sign-in in the session of the host it started on and checks them, and
``accounts.services`` decides what an identity may create, link or log in.
"""

from dataclasses import asdict, dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

#: What a person is told, ``%(provider)s`` being the provider's name.
PROVIDER_UNREACHABLE = _(
    "%(provider)s cannot be reached at the moment. Please try again later, or log in "
    "with your identifier and password."
)
SIGN_IN_CANCELLED = _("You cancelled the sign-in with %(provider)s: nothing was changed.")
SIGN_IN_EXPIRED = _(
    "This sign-in with %(provider)s could not be checked: it was started in another "
    "browser or tab, took too long, or was already used. Please start again."
)
ANSWER_INVALID = _(
    "%(provider)s's answer could not be verified, so it was refused. Please start again."
)
CODE_REFUSED = _(
    "%(provider)s refused to confirm this sign-in: its answer was already used or is too "
    "old. Please start again."
)
LEVEL_INSUFFICIENT = _(
    "The account you chose at %(provider)s does not guarantee your identity at the level "
    "the portal requires. Please choose another way of signing in at %(provider)s."
)


class IdentityError(Exception):
    """A sign-in that cannot go on, with the message shown to the person."""

    message = ANSWER_INVALID
    status = 400

    def __init__(self, message=None, *, detail: str = ""):
        super().__init__(detail or str(message or self.message))
        if message is not None:
            self.message = message
        self.detail = detail

    def text(self, provider) -> str:
        """The message, naming the provider."""
        return str(self.message) % {"provider": provider}


class ProviderUnreachable(IdentityError):
    message = PROVIDER_UNREACHABLE
    status = 503


class SignInCancelled(IdentityError):
    message = SIGN_IN_CANCELLED
    status = 200


class StateMismatch(IdentityError):
    message = SIGN_IN_EXPIRED


class AnswerInvalid(IdentityError):
    """A token whose signature, issuer, audience, date or ``nonce`` is wrong."""

    message = ANSWER_INVALID


class CodeRefused(IdentityError):
    """The provider refused the authorization code (used already, too old)."""

    message = CODE_REFUSED


class InsufficientLevel(IdentityError):
    message = LEVEL_INSUFFICIENT
    status = 403


@dataclass(frozen=True)
class ProviderConfig:
    """A client at a provider: a commune's (FranceConnect), the platform's
    (ProConnect)."""

    client_id: str
    client_secret: str
    discovery_url: str
    #: Whether the userinfo answer must be a signed JWT (FranceConnect v2 and
    #: ProConnect always sign it; a local provider for the demo answers plain
    #: JSON).
    signed_userinfo: bool = True


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str


@dataclass(frozen=True)
class CertifiedIdentity:
    """The identity a provider certifies: its subject (stable per client)
    and the pivot identity, with the e-mail address it knows."""

    subject: str
    given_name: str
    family_name: str
    birthdate: date | None
    birthplace: str = ""
    birthcountry: str = ""
    gender: str = ""
    email: str = ""
    acr: str = ""

    def as_session(self) -> dict:
        data = asdict(self)
        data["birthdate"] = self.birthdate.isoformat() if self.birthdate else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> "CertifiedIdentity":
        birthdate = data.get("birthdate")
        return cls(**{**data, "birthdate": date.fromisoformat(birthdate) if birthdate else None})


@dataclass(frozen=True)
class ProfessionalIdentity:
    """A professional's identity as ProConnect gives it: the e-mail address
    their organisation verified, their names, their identifier at their
    identity provider (``uid``) and their organisation's SIRET; the level of
    the sign-in (``acr``), its methods (``amr``), and whether it asked for a
    second factor (``multi_factor``)."""

    subject: str
    email: str
    given_name: str = ""
    usual_name: str = ""
    uid: str = ""
    siret: str = ""
    acr: str = ""
    amr: tuple[str, ...] = ()
    multi_factor: bool = False


@dataclass(frozen=True)
class SignIn:
    """What a completed sign-in brings back: the identity, and the ID token
    that ends the provider's session at logout (``id_token_hint``)."""

    identity: CertifiedIdentity | ProfessionalIdentity
    id_token: str


class BaseIdentityProvider:
    """An identity provider.

    Subclasses set ``id`` (stored in ``IdentityLink.provider``, never
    renamed) and ``verbose_name``, and implement ``authorization``,
    ``sign_in`` and ``logout_url`` (``accounts.identity.oidc`` does, for
    OpenID Connect). Network failures are raised as ``ProviderUnreachable``;
    every other refusal as an ``IdentityError``, whose message names the
    provider.
    """

    id: str = ""
    verbose_name = ""

    def trusts_second_factor(self) -> bool:
        """Whether the platform accepts this provider's second factor instead
        of the admin's own (``accounts.second_factor``)."""
        return False

    def authorization(
        self, *, config: ProviderConfig, redirect_uri: str, state: str, nonce: str
    ) -> AuthorizationStart:
        """Where to send the browser to sign in."""
        raise NotImplementedError

    def sign_in(
        self, *, config: ProviderConfig, redirect_uri: str, code: str, nonce: str
    ) -> SignIn:
        """Exchange the authorization code, verify the ID token (and its
        ``nonce``) and the userinfo answer, and return the identity."""
        raise NotImplementedError

    def logout_url(
        self, *, config: ProviderConfig, id_token: str, post_logout_redirect_uri: str, state: str
    ) -> str:
        """Where to send the browser to end the provider's session too."""
        raise NotImplementedError
