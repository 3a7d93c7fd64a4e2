"""The legal pages every commune publishes, installed into a new commune
(the ``legal_pages`` installable, ``home.wagtail_hooks``): the legal notice,
the accessibility statement and the personal data page.

Their texts are the product's, in French, with the placeholders of
``cms.placeholders`` that a page fills from the commune's settings when it
renders: what the commune has not given yet reads as what is to be
completed. Staff review and complete them as any page; installing them
again into a commune that has them changes nothing.
"""

from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.models import Site

from cms.pages import AccessibilityCompliance

from .models import ContentPage

DEFENSEUR_DES_DROITS = "https://formulaire.defenseurdesdroits.fr/"
CNIL_COMPLAINT = "https://www.cnil.fr/fr/plaintes"

LEGAL_NOTICE = """\
<h2>Éditeur</h2>
<p>Ce portail est édité par {mairie}, {adresse_mairie}.</p>
<p>Téléphone : {telephone}. Courriel : {courriel}.</p>
<h2>Directeur de la publication</h2>
<p>Le maire, représentant légal de la commune de {commune}.</p>
<h2>Hébergement</h2>
<p>Le portail est hébergé par {hebergeur}, {hebergeur_adresse}.</p>
<h2>Logiciel</h2>
<p>Le portail est un logiciel libre, publié sous la licence GNU Affero General Public \
License, version 3 ou toute version ultérieure (AGPL-3.0-or-later).</p>
<h2>Contenus</h2>
<p>Les textes et documents de ce portail sont publiés par {mairie}. Sauf mention \
contraire, ils peuvent être réutilisés à condition d'en citer la source et de ne pas \
en altérer le sens.</p>
<h2>Données personnelles et accessibilité</h2>
<p>L'usage des données personnelles et l'état d'accessibilité du portail sont décrits \
dans les pages « Données personnelles » et « Accessibilité », en pied de chaque page.</p>
"""

ACCESSIBILITY_STATEMENT = """\
<h2>Déclaration d'accessibilité</h2>
<p>L'éditeur de ce portail, {mairie}, s'engage à rendre ses services en ligne \
accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>
<p>Cette déclaration d'accessibilité s'applique au portail {portail}.</p>
<h2>État de conformité</h2>
<p>Le portail {portail} est <b>non conforme</b> avec le référentiel général \
d'amélioration de l'accessibilité (RGAA), version 4.1, en raison de l'absence \
d'audit de conformité.</p>
<h2>Résultats des tests</h2>
<p>Aucun audit de conformité n'a encore été réalisé. Le logiciel du portail est conçu \
pour respecter le RGAA 4.1 et ses pages sont vérifiées automatiquement à chaque \
modification du logiciel, ce qui ne remplace pas un audit.</p>
<h2>Contenus non accessibles</h2>
<p>Tant qu'aucun audit n'a été réalisé, les contenus non accessibles ne sont pas \
recensés. Les documents joints par la mairie (notamment au format PDF) peuvent ne pas \
être accessibles : ils sont disponibles sous une autre forme sur demande.</p>
<h2>Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie le {date}.</p>
<p>Technologies utilisées pour la réalisation du portail : HTML, CSS et JavaScript \
(qui améliore certains formulaires, utilisables sans lui).</p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez la mairie \
pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre \
forme :</p>
<ul>
<li>par courriel : {courriel} ;</li>
<li>par téléphone : {telephone} ;</li>
<li>par courrier : {adresse_mairie}.</li>
</ul>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou \
à une fonctionnalité du portail, que vous nous le signalez et que vous ne parvenez pas \
à obtenir une réponse de notre part, vous êtes en droit de faire parvenir vos doléances \
ou une demande de saisine au Défenseur des droits :</p>
<ul>
<li>en écrivant au Défenseur des droits par le \
<a href="{defenseur}">formulaire en ligne</a> ;</li>
<li>en contactant le délégué du Défenseur des droits dans votre région ;</li>
<li>en envoyant un courrier par la poste (gratuit, ne pas mettre de timbre) : \
Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>
"""

PERSONAL_DATA = """\
<h2>Responsable des traitements</h2>
<p>Les données personnelles recueillies sur ce portail sont traitées par {mairie}, \
{adresse_mairie}, responsable des traitements.</p>
<h2>Délégué à la protection des données</h2>
<p>{dpo}, que vous pouvez joindre à l'adresse {dpo_courriel}.</p>
<h2>Finalités et bases légales</h2>
<p>La mairie traite vos données pour exercer ses missions de service public \
(article 6.1.e du règlement général sur la protection des données, RGPD) ou respecter \
ses obligations légales (article 6.1.c) :</p>
<ul>
<li><b>Comptes des usagers</b> : tenir votre compte et celui de votre foyer, pour que \
vous fassiez vos démarches, les suiviez et payiez vos factures sans ressaisir vos \
informations ;</li>
<li><b>Démarches</b> : instruire les demandes que vous déposez et vous en tenir \
informé ; chaque démarche indique les informations qu'elle demande ;</li>
<li><b>Paiements</b> : vous présenter les factures des services de la commune et \
encaisser leur paiement en ligne ; vos coordonnées bancaires sont saisies sur le \
service de paiement public et ne sont jamais conservées par le portail ;</li>
<li><b>Messages</b> : échanger avec vous au sujet de vos demandes, par le portail et, \
selon votre choix, par courriel ou SMS.</li>
</ul>
<h2>Destinataires</h2>
<p>Vos données sont destinées aux seuls agents de {mairie} chargés de vos demandes et, \
pour les paiements, au comptable public et au service de paiement de la direction \
générale des finances publiques. Elles ne sont transmises à aucun autre organisme, \
public ou privé, ni hors de l'Union européenne.</p>
<h2>Durées de conservation</h2>
<ul>
<li>Compte : jusqu'à sa suppression par vous ; un compte inutilisé pendant deux ans \
est supprimé, après un avertissement envoyé par courriel un mois avant.</li>
<li>Demandes : la durée fixée pour chaque démarche, après sa clôture ; la demande est \
ensuite anonymisée (réponses, documents et messages effacés).</li>
<li>Factures et paiements : la durée qu'imposent les règles de la comptabilité \
publique.</li>
</ul>
<h2>Vos droits</h2>
<p>Vous pouvez accéder à vos données, les faire rectifier, en demander l'effacement ou \
la limitation, et vous opposer à leur traitement dans les cas prévus par le RGPD. \
Votre compte vous permet de consulter et de modifier la plupart d'entre elles. Pour \
exercer vos droits, écrivez au délégué à la protection des données ({dpo_courriel}) \
ou à {mairie}, {adresse_mairie}.</p>
<p>Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, \
vous pouvez adresser une <a href="{cnil}">réclamation à la CNIL</a>.</p>
<h2>Registre des activités de traitement</h2>
<p>{mairie} tient le registre de ses activités de traitement : les comptes, chacune des \
démarches en ligne, les factures et paiements, les messages et le journal des actions \
de ses agents. Vous pouvez en demander la communication au délégué à la protection des \
données.</p>
<h2>Cookies</h2>
<p>Ce portail ne dépose aucun cookie de mesure d'audience ni de publicité et ne charge \
aucune ressource d'un site tiers. Il n'utilise que les cookies nécessaires à son \
fonctionnement (votre session et la protection des formulaires).</p>
"""


@dataclass(frozen=True)
class LegalPage:
    title: str
    slug: str
    body: str
    accessibility: str = ""


def legal_pages() -> list[LegalPage]:
    """The legal pages, with the values the templates do not leave to the
    commune: the date of the accessibility statement and the addresses of
    the bodies that hear complaints. (The retention of accounts they state
    is ``accounts.retention``'s, which ``home`` may not import: a test keeps
    them the same.)"""
    with translation.override("fr"):
        today = date_format(timezone.localdate(), "j F Y")
    return [
        LegalPage("Mentions légales", "mentions-legales", LEGAL_NOTICE),
        LegalPage(
            "Accessibilité",
            "accessibilite",
            ACCESSIBILITY_STATEMENT.replace("{date}", today).replace(
                "{defenseur}", DEFENSEUR_DES_DROITS
            ),
            accessibility=AccessibilityCompliance.NON_COMPLIANT,
        ),
        LegalPage(
            "Données personnelles",
            "donnees-personnelles",
            PERSONAL_DATA.replace("{cnil}", CNIL_COMPLAINT),
        ),
    ]


def legal_pages_install(site: Site, choice) -> list[str]:
    """Add the legal pages the commune's home page does not have yet, linked
    in the footer and published. Their revision has no author: a page counts
    as reviewed once a person saves it."""
    home = site.root_page.specific
    created = []
    for legal in legal_pages():
        if ContentPage.objects.child_of(home).filter(slug=legal.slug).exists():
            continue
        page = ContentPage(
            title=legal.title,
            slug=legal.slug,
            body=legal.body,
            in_footer=True,
            accessibility_compliance=legal.accessibility,
        )
        home.add_child(instance=page)
        page.save_revision(user=None).publish()
        created.append(f"page {legal.title}")
    return created
