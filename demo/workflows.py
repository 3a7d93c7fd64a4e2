"""The demo communes' workflows: a room booking that issues an authorisation,
a road report that alerts the police municipale when it is dangerous, a
birth certificate that closes by itself once sent, and “Incomplet” requests
of the standard workflow closed after 30 days without an answer."""

from services.models import ServicePage, Workflow, WorkflowStatus, WorkflowTransition
from services.workflows import standard_workflow

AUTHORISATION = (
    "<p>Le maire de {commune},</p>"
    "<p>Vu la demande {reference} déposée le {date_envoi} par {prenom} {nom},</p>"
    "<h3>Arrête</h3>"
    "<p><b>Article 1.</b> {prenom} {nom} est autorisé(e) à occuper la salle "
    "« {champ:salle} » le {champ:date_evenement} ({champ:creneau}) pour l'événement "
    "suivant : {champ:nature}, pour {champ:participants} personnes au plus.</p>"
    "<p><b>Article 2.</b> L'occupant respecte le règlement des salles municipales et "
    "restitue la salle dans l'état où il l'a trouvée.</p>"
    "<p>{texte_libre}</p>"
)


def _status(key, name, group, colour, *, citizen=None, message=False, actions=()):
    return {
        "key": key,
        "name": name,
        "citizen_name": name if citizen is None else citizen,
        "group": group,
        "colour": colour,
        "needs_message": message,
        "actions": list(actions),
    }


def workflows(commune: dict, *, mayor: str, police: str) -> dict[str, dict]:
    """Each demo workflow, by the slug of the démarche that follows it."""
    return {
        "reservation-de-salle": {
            "name": "Réservation de salle",
            "description": "Pré-réservation, pièces éventuelles, puis autorisation d'occupation.",
            "statuses": [
                _status("pre_reservee", "Pré-réservée", "to_process", "blue"),
                _status(
                    "pieces",
                    "Pièces à fournir",
                    "with_citizen",
                    "amber",
                    actions=[
                        ("ask_corrections", {"back_to": "pre_reservee"}),
                        (
                            "deadline",
                            {
                                "days": 30,
                                "kind": "calendar",
                                "remind": "",
                                "move_to": "annulee",
                                "message": "Sans les pièces demandées, la pré-réservation "
                                "est annulée et la salle remise à disposition.",
                            },
                        ),
                    ],
                ),
                _status(
                    "confirmee",
                    "Confirmée",
                    "final",
                    "green",
                    actions=[
                        (
                            "document",
                            {
                                "title": "Autorisation d'occupation de salle",
                                "body": AUTHORISATION,
                                "signatory_name": mayor,
                                "signatory_role": "Le Maire",
                                "signature": None,
                                "condition": {"field": "", "value": ""},
                            },
                        )
                    ],
                ),
                _status(
                    "a_payer",
                    "Confirmée, à payer",
                    "with_citizen",
                    "amber",
                    citizen="Confirmée : location à payer",
                    actions=[
                        ("ask_payment", {"amount": "price", "paid_to": "confirmee"}),
                        (
                            "deadline",
                            {
                                "days": 15,
                                "kind": "calendar",
                                "remind": "citizen",
                                "remind_address": "",
                                "reminder": "La location de la salle reste à payer : sans "
                                "paiement, la réservation sera annulée.",
                                "move_to": "",
                                "message": "",
                            },
                        ),
                    ],
                ),
                _status("refusee", "Refusée", "final", "red", message=True),
                _status("annulee", "Annulée", "final", "grey"),
            ],
            "transitions": [
                ("pre_reservee", "a_payer", "Confirmer et demander le paiement", "agents"),
                ("a_payer", "refusee", "Refuser", "agents"),
                ("a_payer", "annulee", "Annuler la réservation", "supervisors"),
                ("confirmee", "refusee", "Annuler et rembourser", "supervisors"),
                ("pre_reservee", "confirmee", "Confirmer la réservation", "agents"),
                ("pre_reservee", "pieces", "Demander des pièces", "agents"),
                ("pre_reservee", "refusee", "Refuser", "agents"),
                ("pieces", "pre_reservee", "Reprendre l'instruction", "agents"),
                ("pieces", "refusee", "Refuser", "agents"),
                ("pieces", "annulee", "Annuler la pré-réservation", "supervisors"),
            ],
        },
        "signalement-voirie": {
            "name": "Signalement sur la voie publique",
            "description": "La police municipale est prévenue des problèmes dangereux.",
            "statuses": [
                _status(
                    "recu",
                    "Reçu",
                    "to_process",
                    "blue",
                    actions=[
                        (
                            "email",
                            {
                                "to": police,
                                "subject": "Signalement dangereux sur la voie publique",
                                "message": "Un signalement présenté comme dangereux vient "
                                "d'être déposé par {prenom} {nom}.",
                                "condition": {"field": "danger", "value": "oui"},
                            },
                        )
                    ],
                ),
                _status(
                    "programme",
                    "Intervention programmée",
                    "to_process",
                    "purple",
                    actions=[
                        (
                            "tell_citizen",
                            {
                                "message": "Bonjour {prenom}, les services techniques ont "
                                "programmé une intervention pour votre signalement {reference}.",
                                "condition": {"field": "", "value": ""},
                            },
                        )
                    ],
                ),
                _status("repare", "Réparé", "final", "green"),
                _status(
                    "hors_competence",
                    "Hors compétence de la commune",
                    "final",
                    "grey",
                    message=True,
                ),
            ],
            "transitions": [
                ("recu", "programme", "Programmer l'intervention", "agents"),
                ("recu", "hors_competence", "Hors compétence de la commune", "agents"),
                ("programme", "repare", "Marquer réparé", "agents"),
                ("programme", "hors_competence", "Hors compétence de la commune", "agents"),
            ],
        },
        "acte-de-naissance": {
            "name": "Acte d'état civil",
            "description": "L'acte part par courrier ; la demande se clôt seule 15 jours après.",
            "statuses": [
                _status("recue", "Reçue", "to_process", "blue"),
                _status(
                    "verification", "Vérification au registre", "to_process", "purple", citizen=""
                ),
                _status(
                    "envoye",
                    "Acte envoyé",
                    "with_citizen",
                    "teal",
                    actions=[
                        (
                            "deadline",
                            {
                                "days": 15,
                                "kind": "calendar",
                                "remind": "",
                                "move_to": "cloturee",
                                "message": "Votre acte vous a été envoyé : la demande est close.",
                            },
                        )
                    ],
                ),
                _status("cloturee", "Clôturée", "final", "grey"),
                _status("refusee", "Refusée", "final", "red", message=True),
            ],
            "transitions": [
                ("recue", "verification", "Vérifier au registre", "agents"),
                ("recue", "envoye", "Envoyer l'acte", "agents"),
                ("recue", "refusee", "Refuser", "agents"),
                ("verification", "envoye", "Envoyer l'acte", "agents"),
                ("verification", "refusee", "Refuser", "agents"),
                ("envoye", "cloturee", "Clôturer", "agents"),
            ],
        },
    }


INCOMPLETE_CLOSES = (
    "deadline",
    {
        "days": 30,
        "kind": "calendar",
        "remind": "",
        "move_to": "closed",
        "message": "Sans réponse de votre part dans les 30 jours, votre demande a été classée.",
    },
)


def add_demo_workflows(*, site, index, commune: dict) -> None:
    """Create the demo workflows the commune lacks and give them to their
    démarches; the standard “Incomplet” closes after 30 days."""
    standard = standard_workflow(site)
    incomplete = standard.statuses.get(key="incomplete")
    if not any(block.block_type == "deadline" for block in incomplete.actions):
        kept = [(block.block_type, block.value) for block in incomplete.actions]
        incomplete.actions = [*kept, INCOMPLETE_CLOSES]
        incomplete.save()
        standard.save()
    specs = workflows(
        commune, mayor=commune.get("mayor", "Le Maire"), police=f"police@{site.hostname}"
    )
    for slug, spec in specs.items():
        workflow = Workflow.objects.filter(site=site, name=spec["name"]).first()
        if workflow is None:
            workflow = Workflow.objects.create(
                site=site, name=spec["name"], description=spec["description"]
            )
            for order, status in enumerate(spec["statuses"]):
                WorkflowStatus.objects.create(workflow=workflow, sort_order=order, **status)
            for order, (source, target, label, who) in enumerate(spec["transitions"]):
                WorkflowTransition.objects.create(
                    workflow=workflow,
                    sort_order=order,
                    source=source,
                    target=target,
                    label=label,
                    who=who,
                )
            workflow.save()
        for page in ServicePage.objects.child_of(index).filter(slug=slug):
            if page.workflow_id != workflow.pk:
                page.workflow = workflow
                page.save_revision().publish()
