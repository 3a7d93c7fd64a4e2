"""The staff screen: the people of the communes whose staff the user manages,
the invitations still open, inviting a person, resending or revoking an
invitation, and removing a person from a commune (``accounts.invitations``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from cms.tenancy import groups_of_communes

from ..invitations import (
    GROUP_NOT_GRANTABLE,
    GROUPS_OF_SEVERAL_COMMUNES,
    InvitationError,
    commune_of_groups,
    grantable_groups,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    manages_staff,
    open_invitations_visible_to,
    staff_communes,
    staff_member_of,
    staff_of_commune,
    staff_remove,
)
from ..models import InvitationStatus

NAME_REQUIRED = gettext_lazy(
    "Give the person's first and last names: the admin shows staff by them."
)


class InviteForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=150,
        error_messages={"required": NAME_REQUIRED},
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=150,
        error_messages={"required": NAME_REQUIRED},
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("The invitation is sent to this address."),
    )
    username = forms.RegexField(
        label=gettext_lazy("Identifier"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "What the person types to sign in. Leave empty to use first-name.last-name; "
            "someone who already has a staff account with this e-mail address keeps theirs."
        ),
    )
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groups"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": GROUP_NOT_GRANTABLE,
            "invalid_pk_value": GROUP_NOT_GRANTABLE,
        },
        help_text=gettext_lazy("What the person will do, in which commune."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["groups"].queryset = grantable_groups(user)

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if not self.user.is_superuser and commune_of_groups(groups) is None:
            raise forms.ValidationError(GROUPS_OF_SEVERAL_COMMUNES)
        return groups


class StaffMixin(WagtailAdminTemplateMixin):
    """For those who manage the staff of a commune (its supervisors) and
    platform admins; a screen that does not exist to anyone else."""

    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not manages_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def invitation_link(self, token: str) -> str:
        return self.request.build_absolute_uri(reverse("staff_invitation", args=[token]))

    def get_breadcrumbs_items(self):
        items = [*super().get_breadcrumbs_items()]
        if self.page_title != StaffIndexView.page_title:
            items.append({"url": reverse("staff_index"), "label": StaffIndexView.page_title})
        return [*items, {"url": "", "label": self.get_page_title()}]


class StaffIndexView(StaffMixin, TemplateView):
    template_name = "accounts/admin/staff/index.html"
    page_title = gettext_lazy("Staff")

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Invite a person"), url=reverse("staff_invite"), icon_name="plus", priority=10
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        communes = []
        for site in staff_communes(user):
            own = set(groups_of_communes([site]).values_list("pk", flat=True))
            members = [
                (member, [g for g in member.groups.all() if g.pk in own])
                for member in staff_of_commune(site).prefetch_related("groups")
            ]
            communes.append((site, members))
        context.update(
            communes=communes,
            invitations=open_invitations_visible_to(user),
            expired=InvitationStatus.EXPIRED,
        )
        return context


class InviteView(StaffMixin, FormView):
    template_name = "accounts/admin/staff/invite.html"
    page_title = gettext_lazy("Invite a person")
    form_class = InviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invitation = invitation_create(
                by=self.request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                username=data["username"],
                groups=data["groups"],
                link=self.invitation_link,
            )
        except InvitationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(name)s (%(email)s); the link works for 7 days.")
            % {"name": invitation.get_full_name(), "email": invitation.email},
        )
        return redirect("staff_index")


class InvitationMixin(StaffMixin):
    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pk = pk

    @cached_property
    def invitation(self):
        return get_object_or_404(open_invitations_visible_to(self.request.user), pk=self.pk)

    def get_page_subtitle(self):
        return self.invitation.get_full_name()


class InvitationResendView(InvitationMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            invitation = invitation_resend(invitation=self.invitation, link=self.invitation_link)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("A new link was sent to %(email)s; the former one no longer works.")
                % {"email": invitation.email},
            )
        return redirect("staff_index")


class InvitationRevokeView(InvitationMixin, TemplateView):
    template_name = "accounts/admin/staff/revoke.html"
    page_title = gettext_lazy("Revoke the invitation")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}

    def post(self, request, pk):
        try:
            invitation_revoke(invitation=self.invitation)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The invitation of %(name)s is revoked: its link no longer works.")
                % {"name": self.invitation.get_full_name()},
            )
        return redirect("staff_index")


class StaffRemoveView(StaffMixin, TemplateView):
    """Remove a person from one commune's groups (the commune named by
    ``?commune=``, or the only one of the user's where the person works)."""

    template_name = "accounts/admin/staff/remove.html"
    page_title = gettext_lazy("Remove from the commune")

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pk = pk

    @cached_property
    def site_and_member(self):
        user = self.request.user
        communes = staff_communes(user)
        wanted = self.request.POST.get("commune") or self.request.GET.get("commune")
        if wanted:
            if not str(wanted).isdigit():
                raise Http404
            communes = communes.filter(pk=int(wanted))
        found = [
            (site, member)
            for site in communes
            if (member := staff_member_of(user, site=site, pk=self.pk)) is not None
        ]
        if len(found) != 1:
            raise Http404
        return found[0]

    def dispatch(self, request, *args, **kwargs):
        if manages_staff(request.user):
            self.site_and_member  # noqa: B018 (a 404 before anything else)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        member = self.site_and_member[1]
        return member.get_full_name() or member.username

    def get_context_data(self, **kwargs):
        site, member = self.site_and_member
        own = groups_of_communes([site])
        return {
            **super().get_context_data(**kwargs),
            "site": site,
            "member": member,
            "groups": member.groups.filter(pk__in=own).filter(
                pk__in=grantable_groups(self.request.user).values("pk")
            ),
        }

    def post(self, request, pk):
        site, member = self.site_and_member
        try:
            staff_remove(by=request.user, user=member, site=site)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s no longer belongs to %(commune)s; their sessions have ended.")
                % {"name": member.get_full_name() or member.username, "commune": site.site_name},
            )
        return redirect("staff_index")


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return manages_staff(request.user)


def staff_menu_item():
    return StaffMenuItem(
        gettext_lazy("Staff"), reverse("staff_index"), name="staff", icon_name="group", order=650
    )


def staff_urls():
    return [
        path("staff/", StaffIndexView.as_view(), name="staff_index"),
        path("staff/invite/", InviteView.as_view(), name="staff_invite"),
        path("staff/<int:pk>/remove/", StaffRemoveView.as_view(), name="staff_remove"),
        path(
            "staff/invitations/<int:pk>/resend/",
            InvitationResendView.as_view(),
            name="staff_invitation_resend",
        ),
        path(
            "staff/invitations/<int:pk>/revoke/",
            InvitationRevokeView.as_view(),
            name="staff_invitation_revoke",
        ),
    ]
