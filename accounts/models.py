from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a citizen of one commune, or a member of staff.

    Citizens belong to the commune (``site``) where they registered, and their
    identifier is unique within that commune only, so the same person may hold
    an account in two communes. Staff users have no commune: the groups they
    belong to decide what they see in the admin.
    """

    username = models.CharField(
        _("identifier"),
        max_length=150,
        validators=[AbstractUser.username_validator],
        help_text=_("Letters, digits and @ . + - _ only; accents count."),
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citizens",
        help_text=_("Empty for staff, who belong to no commune."),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("username"),
                name="accounts_user_unique_identifier_per_commune",
            ),
            models.UniqueConstraint(
                Lower("username"),
                condition=models.Q(site__isnull=True),
                name="accounts_user_unique_staff_identifier",
            ),
        ]

    @property
    def is_citizen(self) -> bool:
        return self.site_id is not None
