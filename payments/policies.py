"""Who may do what with régies, invoices and transactions in the admin.

Permissions are held per commune (``GroupSitePermission``, granted by
``cms.services.commune_create``): agents see their commune's invoices and
transactions; supervisors also configure the régies and import invoices
(``add_invoice``), which agents never do. Nobody deletes a payments record.
Within a commune, the apps that issue invoices may keep some out of a
user's reach (``payments.extensions.invoice_reach``), and the transactions
that paid them with them.
"""

from cms.policies import CommunePermissionPolicy

from .extensions import invoice_reach
from .models import Invoice, Regie, Transaction


class InvoicePermissionPolicy(CommunePermissionPolicy):
    def within_commune(self, user, records):
        reach = invoice_reach(user)
        return records if reach is None else records.filter(reach)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return (
            super().user_has_any_permission_for_instance(user, actions, instance)
            and self.within_commune(user, Invoice.objects.filter(pk=instance.pk)).exists()
        )


class TransactionPermissionPolicy(CommunePermissionPolicy):
    def within_commune(self, user, records):
        reach = invoice_reach(user)
        if reach is None:
            return records
        return records.exclude(lines__invoice__in=Invoice.objects.exclude(reach))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return (
            super().user_has_any_permission_for_instance(user, actions, instance)
            and self.within_commune(user, Transaction.objects.filter(pk=instance.pk)).exists()
        )


regie_policy = CommunePermissionPolicy(Regie, never_allowed={"delete"})
invoice_policy = InvoicePermissionPolicy(Invoice, never_allowed={"delete"})
transaction_policy = TransactionPermissionPolicy(Transaction, never_allowed={"delete"})
