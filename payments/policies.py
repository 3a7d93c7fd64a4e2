"""Who may do what with régies, invoices and transactions in the admin.

Permissions are held per commune (``GroupSitePermission``, granted by
``cms.services.commune_create``): agents see their commune's invoices and
transactions; supervisors also configure the régies and import invoices
(``add_invoice``), which agents never do. Nobody deletes a payments record.
"""

from cms.policies import CommunePermissionPolicy

from .models import Invoice, Regie, Transaction

regie_policy = CommunePermissionPolicy(Regie, never_allowed={"delete"})
invoice_policy = CommunePermissionPolicy(Invoice, never_allowed={"delete"})
transaction_policy = CommunePermissionPolicy(Transaction, never_allowed={"delete"})
