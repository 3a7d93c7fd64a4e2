import os
from datetime import date

from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Collection, Page, Site

from accounts.models import (
    AccountSettings,
    AccountStatus,
    ContactPreference,
    FranceConnectEnvironment,
    User,
)
from accounts.services import MemberData, account_register
from accounts.validators import phone_e164
from cms.models import CommuneSettings, SmsSettings
from cms.services import AGENTS_GROUP, COMMUNICATION_GROUP, commune_create
from demo import communes as demo
from demo.home import add_demo_home
from demo.identity_provider import DEMO_AGENT, DEMO_IDENTITY, ISSUER
from demo.logo import draw_logo
from demo.payments import add_demo_payments
from demo.services import add_demo_services, translate_demo_services
from demo.staff import add_demo_invitation
from demo.translation import translate_page
from faq.models import FAQPage
from faq.services import faq_import
from home.legal import legal_pages
from home.models import ContentPage

WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


class Command(BaseCommand):
    help = (
        "Create the demo portal: Carvin (carvin.localhost) and Saint-André-des-Eaux "
        "(saint-andre-des-eaux.localhost) with their FAQ, legal pages, an English "
        "translation of Carvin's home, FAQ and civil-status and school démarches, "
        "a platform admin and, per commune, a communication user, an agent of the "
        "whole commune and one per municipal service. Re-running it changes "
        "nothing; it prints every demo login."
    )

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000")
        logins = [
            (
                "Platform admin (all communes)",
                *demo.PLATFORM_ADMIN,
                f"http://localhost:{port}/admin/",
            )
        ]
        with transaction.atomic():
            self._remove_wagtail_welcome()
            self._user(*demo.PLATFORM_ADMIN, superuser=True)
            for index, spec in enumerate(demo.COMMUNES):
                site = self._commune(spec, default=index == 0)
                for role, template in (("com", COMMUNICATION_GROUP), ("agent", AGENTS_GROUP)):
                    username = f"{role}.{spec['slug']}"
                    password = f"{role}-{spec['slug']}-demo"
                    group = Group.objects.get(name=template.format(name=spec["name"]))
                    user = self._user(username, password, group=group)
                    if role == "com" and spec.get("legal_pages_reviewed"):
                        self._review_legal_pages(site, user)
                    logins.append(
                        (group.name, username, password, f"http://{site.hostname}:{port}/admin/")
                    )
                agents = Group.objects.get(name=AGENTS_GROUP.format(name=spec["name"]))
                for service in demo.MUNICIPAL_SERVICES:
                    username = f"{service.login}.{spec['slug']}"
                    password = f"{service.login}-{spec['slug']}-demo"
                    first_name, last_name = demo.SERVICE_AGENTS[spec["slug"]][service.login]
                    self._user(
                        username, password, group=agents, first_name=first_name, last_name=last_name
                    )
                    logins.append(
                        (
                            f"{spec['name']} — {service.name}",
                            username,
                            password,
                            f"http://{site.hostname}:{port}/admin/",
                        )
                    )
            for spec in demo.COMMUNES:
                site = Site.objects.get(hostname=spec["hostname"])
                for citizen in demo.CITIZENS[spec["hostname"]]:
                    user = self._citizen(site, citizen)
                    state = "validated" if citizen["validated"] else "awaiting validation"
                    if citizen.get("prefers_sms"):
                        state += ", told by SMS"
                    logins.append(
                        (
                            f"Citizen of {spec['name']}, {state}",
                            user.username,
                            citizen["password"],
                            f"http://{site.hostname}:{port}/compte/connexion/",
                        )
                    )
                add_demo_payments(site=site, stdout=self.stdout)
                add_demo_services(site=site, commune=spec, stdout=self.stdout)
                add_demo_home(site=site, spec=spec, stdout=self.stdout)
                add_demo_invitation(site=site, spec=spec, port=port, stdout=self.stdout)
            carvin_faq = FAQPage.objects.descendant_of(
                Site.objects.get(hostname="carvin.localhost").root_page
            ).get()
            home = carvin_faq.get_parent().specific
            for page, catalogue in ((home, "home-carvin.en.po"), (carvin_faq, "faq-carvin.en.po")):
                if translate_page(page, language="en", catalogue=demo.DEMO_DIR / catalogue):
                    self.stdout.write(f"Translated into English: {page.title}")
            carvin = next(spec for spec in demo.COMMUNES if spec["hostname"] == "carvin.localhost")
            for title in translate_demo_services(
                site=carvin_faq.get_site(), commune=carvin, language="en"
            ):
                self.stdout.write(f"Translated into English: {title}")

        self.stdout.write(self.style.SUCCESS("Demo ready. Logins:"))
        for role, username, password, where in logins:
            self.stdout.write(f"  {role:<46} {username:<22} {password:<24} {where}")
        self.stdout.write(
            "  Staff: the first admin sign-in of each login sets up an authenticator app "
            "(QR code or key), which then gives the 6-digit code asked after the password."
        )
        self.stdout.write(
            f"  FranceConnect (local provider, {ISSUER}/): the identity {DEMO_IDENTITY.sub}, "
            "on either commune's login page."
        )
        self.stdout.write(
            f"  ProConnect (the same provider, with scripts/demo.sh): the identity "
            f"{DEMO_AGENT.sub} signs in as agent.carvin on the admin's login page."
        )
        for spec in demo.COMMUNES:
            self.stdout.write(f"  Portal: http://{spec['hostname']}:{port}/")

    def _remove_wagtail_welcome(self):
        for page in Page.objects.filter(depth=2, title=WAGTAIL_WELCOME_TITLE):
            if type(page.specific) is Page:
                Site.objects.filter(root_page=page).delete()
                page.delete()

    def _user(self, username, password, *, superuser=False, group=None, **names):
        user = User.objects.filter(site__isnull=True, username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@mairie.localhost",
                is_staff=superuser,
                is_superuser=superuser,
                **names,
            )
            user.set_password(password)
            user.save()
        demo.staff_names(user)
        if group is not None:
            user.groups.add(group)
        return user

    def _citizen(self, site, citizen):
        user = User.objects.filter(site=site, email=citizen["email"]).first()
        if user is not None:
            return user
        members = [
            MemberData(
                first_name=first,
                last_name=last,
                birth_date=date.fromisoformat(born),
                relationship=relationship,
            )
            for first, last, born, relationship in citizen["members"]
        ]
        user = account_register(
            site=site,
            first_name=citizen["first_name"],
            last_name=citizen["last_name"],
            birth_date=date.fromisoformat(citizen["birth_date"]),
            email=citizen["email"],
            phone=citizen.get("phone", ""),
            address_line=citizen.get("address_line", ""),
            postcode=citizen.get("postcode", ""),
            city=citizen.get("city", ""),
            contact_preference="email",
            password=citizen["password"],
            members=members,
        )
        if citizen["validated"]:
            User.objects.filter(pk=user.pk).update(status=AccountStatus.VALIDATED)
        if citizen.get("prefers_sms"):
            # As if the number had been verified by its code.
            User.objects.filter(pk=user.pk).update(
                contact_preference=ContactPreference.PHONE,
                sms_phone=phone_e164(citizen["phone"]),
                sms_phone_verified_at=timezone.now(),
            )
        return user

    def _commune(self, spec, *, default):
        result = commune_create(
            name=spec["name"],
            hostname=spec["hostname"],
            port=int(os.environ.get("PORT", "8000")),
            phrase=spec["settings"]["phrase"],
            install={"legal_pages": True, "message_templates": True},
        )
        site = result.site
        if result.created:
            self.stdout.write(f"{spec['name']}: created " + ", ".join(result.created))
        if default and not Site.objects.filter(is_default_site=True).exists():
            site.is_default_site = True
            site.save()

        commune = CommuneSettings.for_site(site)
        if commune.logo_id is None:
            for field, value in spec["settings"].items():
                setattr(commune, field, value)
            commune.logo = self._logo(spec)
            commune.full_clean()
            commune.save()

        accounts = AccountSettings.for_site(site)
        if not accounts.franceconnect_client_id:
            accounts.franceconnect_enabled = True
            accounts.franceconnect_environment = FranceConnectEnvironment.CUSTOM
            accounts.franceconnect_issuer = ISSUER
            accounts.franceconnect_client_id = f"portail-{spec['slug']}"
            accounts.franceconnect_client_secret = f"secret-{spec['slug']}-demo"
            accounts.full_clean()
            accounts.save()

        sms = SmsSettings.for_site(site)
        if not sms.provider:
            # Text messages are printed by the worker, as e-mails are.
            sms.provider = "console"
            sms.sender = spec["sms_sender"]
            sms.monthly_cap = 500
            sms.full_clean()
            sms.save()

        if accounts.captcha_confirmed_at is None:
            # The demo communes chose the self-hosted check.
            accounts.captcha_confirmed_at = timezone.now()
            accounts.save(update_fields=["captcha_confirmed_at"])

        home = site.root_page.specific
        faq = FAQPage.objects.child_of(home).get()
        if not faq.search_description:
            faq.search_description = demo.DESCRIPTIONS["faq"]
            faq.save_revision().publish()

        faq = FAQPage.objects.child_of(home).get()
        result = faq_import(page=faq, text=spec["faq"].read_text(encoding="utf-8"))
        if result.changed:
            self.stdout.write(
                f"{spec['name']}: FAQ imported ({result.categories} categories, "
                f"{result.questions} questions)"
            )
        return site

    def _review_legal_pages(self, site, user):
        """The commune's communication officer saves its legal pages once, as
        after reading them (the setup checklist ticks "Legal pages reviewed")."""
        pages = ContentPage.objects.child_of(site.root_page).filter(
            slug__in=[legal.slug for legal in legal_pages()]
        )
        for page in pages.select_related("latest_revision"):
            if page.latest_revision is None or page.latest_revision.user_id is None:
                page.save_revision(user=user).publish(user=user)

    def _logo(self, spec):
        collection = Collection.objects.get(name=spec["name"], depth=2)
        title = f"Logo {spec['name']}"
        image = Image.objects.filter(title=title, collection=collection).first()
        if image is None:
            data = draw_logo(spec["name"], spec["logo_colour"])
            image = Image(title=title, collection=collection)
            image.file = ImageFile(data, name=f"logo-{spec['slug']}.png")
            image.save()
        return image
