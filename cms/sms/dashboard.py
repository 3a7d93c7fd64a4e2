"""The admin home's panel of text messages sent this month, per commune the
user may configure them for (``cms.change_smssettings``)."""

from wagtail.admin.ui.components import Component
from wagtail.permission_policies.sites import SitePermissionPolicy

from ..models import SentSms, SmsSettings, SmsStatus
from ..tenancy import communes_for
from .services import month_start

sms_policy = SitePermissionPolicy(SmsSettings)


class SmsPanel(Component):
    name = "sms_this_month"
    template_name = "cms/admin/sms_panel.html"
    order = 80

    def __init__(self, rows):
        self.rows = rows

    def get_context_data(self, parent_context=None):
        return {"rows": self.rows}


def sms_rows(sites) -> list[dict]:
    start = month_start()
    configs = {c.site_id: c for c in SmsSettings.objects.filter(site__in=sites)}
    rows = []
    for site in sites:
        config = configs.get(site.pk)
        if config is None or not config.provider:
            continue
        sent = SentSms.objects.filter(site=site, created_at__gte=start)
        segments = sum(
            sent.filter(status=SmsStatus.SENT).values_list("segments", flat=True), start=0
        )
        rows.append(
            {
                "site": site,
                "sent": sent.filter(status=SmsStatus.SENT).count(),
                "segments": segments,
                "cap": config.monthly_cap,
                "by_email": sent.filter(status__in=[SmsStatus.FAILED, SmsStatus.CAPPED]).count(),
                "waiting": sent.filter(status=SmsStatus.DEFERRED).count(),
            }
        )
    return rows


def sms_panel(request, panels):
    sites = list(communes_for(request.user, sms_policy, ("change",)).order_by("site_name"))
    rows = sms_rows(sites) if sites else []
    if rows:
        panels.append(SmsPanel(rows))
