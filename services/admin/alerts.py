"""The staff's choice of e-mails about new requests, in their account settings."""

from django import forms
from django.utils.translation import gettext_lazy
from wagtail.admin.views.account import BaseSettingsPanel, notifications_tab

from cms.tenancy import communes_for

from ..models import AgentAlertSettings
from ..policies import submission_policy
from ..services import agents_of


class AgentAlertSettingsForm(forms.ModelForm):
    class Meta:
        model = AgentAlertSettings
        fields = ["new_requests"]
        widgets = {"new_requests": forms.RadioSelect}


class NewRequestAlertsPanel(BaseSettingsPanel):
    """Shown to the agents and supervisors of a commune, those who may be
    told of its requests; a form posted without it leaves the choice as it is."""

    name = "new_requests"
    title = gettext_lazy("New requests")
    tab = notifications_tab
    order = 150
    form_class = AgentAlertSettingsForm

    def is_active(self):
        sites = communes_for(self.user, submission_policy)
        return agents_of(sites=sites).filter(pk=self.user.pk).exists()

    def get_form(self):
        instance = AgentAlertSettings.objects.filter(user=self.user).first()
        kwargs = {
            "instance": instance or AgentAlertSettings(user=self.user),
            "prefix": self.name,
        }
        if f"{self.name}-new_requests" in self.request.POST:
            return self.form_class(self.request.POST, **kwargs)
        return self.form_class(**kwargs)
