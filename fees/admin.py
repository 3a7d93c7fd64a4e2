"""The prices of démarches in the admin ("Prices of démarches", for the
supervisors), and the agents' cancellation of an amount from a request's
page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column

from cms.formdata import repaired, stream_repairs
from cms.money import money
from cms.scoped_admin import CommuneModelForm, CommuneViewSet, ScopedIndexView
from payments.exceptions import PaymentError
from payments.models import Regie
from services.models import ServicePage, Submission
from services.routing import input_blocks
from services.selectors import submissions_visible_to

from .models import DemarcheFee, RequestPayment, raw_line
from .policies import fee_policy
from .pricing import example_answers, line_problems, quote_of
from .services import FeeError, payment_cancel

NOT_OF_COMMUNE = gettext_lazy("Choose one of the commune's %(what)s.")


def _pages_of(sites):
    trees = Q()
    for site in sites.select_related("root_page"):
        trees |= Q(path__startswith=site.root_page.path)
    return ServicePage.objects.filter(trees) if trees else ServicePage.objects.none()


class DemarcheFeeForm(CommuneModelForm):
    """A price whose démarche and régie belong to its commune, and whose
    lines name fields of the démarche's form."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = repaired(
                data, stream_repairs(data, "lines", types={"line"}, lists=("choice_prices",))
            )
        super().__init__(data, *args, **kwargs)
        sites = self.fields["site"].queryset
        self.fields["page"].queryset = _pages_of(sites).order_by("title")
        self.fields["regie"].queryset = Regie.objects.filter(site__in=sites)

    def clean(self):
        cleaned = super().clean()
        site, page, regie = (cleaned.get(name) for name in ("site", "page", "regie"))
        if site is not None and regie is not None and regie.site_id != site.pk:
            self.add_error("regie", NOT_OF_COMMUNE % {"what": _("régies")})
        if site is not None and page is not None:
            if not page.path.startswith(site.root_page.path):
                self.add_error("page", NOT_OF_COMMUNE % {"what": _("démarches")})
            elif cleaned.get("lines") is not None:
                raw = cleaned["lines"].get_prep_value()
                lines = [raw_line(item.get("value") or {}) for item in raw]
                for problem in line_problems(lines, input_blocks(page.specific.steps)):
                    self.add_error(None, ValidationError(problem))
        return cleaned


def example_of(fee: DemarcheFee) -> dict | None:
    """The price of example answers, for staff to check the lines."""
    if not fee.pk:
        return None
    blocks = input_blocks(fee.page.specific.steps)
    answers = example_answers(fee.raw_lines, blocks)
    quote = quote_of(fee.raw_lines, answers, blocks, when=fee.when)
    shown = []
    for key, value in answers.items():
        block = blocks.get(key)
        if block is not None and block.field_type is not None:
            shown.append((block.label, block.field_type.text(block, value)))
    return {"answers": shown, "quote": quote}


class ExamplePanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "fees/example_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["example"] = example_of(self.instance)
            return context


class DemarcheFeeIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("site", "page", "regie")


class DemarcheFeeViewSet(CommuneViewSet):
    model = DemarcheFee
    icon = "tag"
    menu_label = gettext_lazy("Prices of démarches")
    menu_name = "demarche-prices"
    menu_order = 193
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = DemarcheFeeIndexView
    list_display = [
        "page",
        "label",
        Column("regie", label=gettext_lazy("Régie"), accessor="regie"),
        Column("when", label=gettext_lazy("Paid"), accessor="get_when_display"),
    ]
    panels = [
        FieldPanel("site"),
        FieldPanel("page", widget=forms.Select),
        MultiFieldPanel(
            [FieldPanel("regie"), FieldPanel("label")],
            heading=gettext_lazy("Collection"),
        ),
        MultiFieldPanel(
            [FieldPanel("when", widget=forms.RadioSelect), FieldPanel("pay_within_days")],
            heading=gettext_lazy("When to pay"),
        ),
        FieldPanel("lines"),
        ExamplePanel(heading=gettext_lazy("Example")),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=DemarcheFeeForm).bind_to_model(self.model)


class CancelPaymentView(View):
    """An agent who may change the request cancels an amount not paid, with its reason."""

    def post(self, request, pk):
        payment = get_object_or_404(RequestPayment.objects.select_related("invoice"), pk=pk)
        visible = submissions_visible_to(user=request.user, actions=("change",))
        submission = get_object_or_404(visible, pk=payment.submission_id)
        back = reverse(Submission.snippet_viewset.get_url_name("inspect"), args=[submission.pk])
        reason = request.POST.get(f"cancel-{payment.pk}-reason", "")
        try:
            payment_cancel(payment=payment, reason=reason, author=request.user)
        except (FeeError, PaymentError) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The amount of %(amount)s is cancelled.")
                % {"amount": money(payment.invoice.amount)},
            )
        return redirect(back)


def admin_urls():
    return [
        path(
            "fees/",
            (
                [path("cancel/<int:pk>/", CancelPaymentView.as_view(), name="cancel")],
                "fees_admin",
                "fees_admin",
            ),
        )
    ]


__all__ = ["DemarcheFeeViewSet", "admin_urls", "fee_policy"]
