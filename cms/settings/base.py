"""Settings shared by every environment. Values that differ come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "cms",
    "accounts",
    "home",
    "faq",
    "services",
    "payments",
    "fees",
    "demo",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "formtools",
    "django_recaptcha",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: a page served again skips everything below, its headers kept.
    "cms.cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cms.middleware.RefuseMalformedContentLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.security.PolicyMiddleware",
    "cms.security.SecurityHeadersMiddleware",
    "cms.tenancy.CurrentRequestMiddleware",
    "cms.tenancy.CommuneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cms.middleware.RefuseNulCharacterMiddleware",
    "accounts.sessions.IdleSessionMiddleware",
    "accounts.sessions.PrivateResponsesMiddleware",
    "accounts.second_factor.AdminSecondFactorMiddleware",
    "cms.preparation.CommuneInPreparationMiddleware",
    "cms.admin_scoping.AdminPageScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.uploads.DownloadHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "accounts.lockout.PasswordLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "cms.template_backend.DjangoTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock (up to 20 s) instead of failing with "database
    # is locked" when requests, the task worker and payment notifications write
    # at the same time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CitizenBackend",
    "accounts.backends.StaffBackend",
]
LOGIN_URL = "accounts:login"
# A page made private in Wagtail asks citizens to log in where they always do.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "accounts:home"
PASSWORD_RESET_TIMEOUT = 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Seconds without a request after which a session ends (accounts.sessions);
# the pages warn SESSION_IDLE_WARNING seconds before.
SESSION_IDLE_TIMEOUT_CITIZEN = int(os.environ.get("SESSION_IDLE_TIMEOUT_CITIZEN", str(30 * 60)))
SESSION_IDLE_TIMEOUT_STAFF = int(os.environ.get("SESSION_IDLE_TIMEOUT_STAFF", str(15 * 60)))
SESSION_IDLE_WARNING = int(os.environ.get("SESSION_IDLE_WARNING", "120"))

# Staff second factor (accounts.second_factor): TOTP apps and recovery codes.
# After a wrong code, the next attempt waits 1, 2, 4, 8... seconds.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Portail citoyen")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Staff may sign in to the admin with ProConnect (accounts.identity.proconnect)
# when the platform's client is given. The issuer is ProConnect's production
# one unless set (integration: https://fca.integ01.dev-agentconnect.fr/api/v2).
# A sign-in that ProConnect made with a second factor replaces the admin's own
# (the authenticator app) only when PROCONNECT_MFA_REPLACES_SECOND_FACTOR is true.
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_ISSUER = os.environ.get("PROCONNECT_ISSUER", "https://auth.agentconnect.gouv.fr/api/v2")
PROCONNECT_MFA_REPLACES_SECOND_FACTOR = os.environ.get(
    "PROCONNECT_MFA_REPLACES_SECOND_FACTOR", "false"
).lower() in ("1", "true", "yes")

# The proxies whose X-Forwarded-For names the client (cms.proxies), as
# addresses or networks, comma-separated; none when the app is reached directly.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# Brute force: a cool-off after 5 failures for one identifier from one
# address (never a permanent lock), and a wider limit per address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.proxies.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Never kept in django-axes' record of a failure: what was typed in the
# forms that count as logins (accounts.lockout.PASSWORD_VIEWS).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "password-old_password",
    "password-new_password1",
    "password-new_password2",
    "code",
]
ADDRESS_FAILURE_LIMIT = 50
ADDRESS_FAILURE_WINDOW = timedelta(hours=1)
# Password reset links: requests per client address, and e-mails per account
# whoever asks, in this window.
PASSWORD_RESET_ADDRESS_LIMIT = 10
PASSWORD_RESET_ACCOUNT_LIMIT = 3
PASSWORD_RESET_WINDOW = timedelta(hours=1)
# Links to confirm a new e-mail address: e-mails sent per account in this
# window, whatever the addresses typed.
EMAIL_CHANGE_ACCOUNT_LIMIT = 3
EMAIL_CHANGE_WINDOW = timedelta(hours=1)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
# Page addresses in plain ASCII: the admin makes “déchèterie” “decheterie”.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# "Translate this page" creates a draft: a translation is published by
# staff once translated, never at once full of the source language.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Citizens' documents: outside MEDIA_ROOT, never served as static files.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {
    "default": {
        "BACKEND": "cms.filecache.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
# Seconds an anonymous page stays in the cache when nothing is published meanwhile.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "600"))
# Seconds a process serves the anonymous pages it keeps in memory without asking
# the shared cache whether its commune published since (0: on every request); a
# publish shows to anonymous visitors of the other processes within this time.
PAGE_CACHE_TRUST = float(os.environ.get("PAGE_CACHE_TRUST", "1"))
# Seconds a shared cache in front of the app servers (the proxy's) may keep an
# anonymous page; nothing purges it, so a publish shows there within this time.
EDGE_CACHE_TIMEOUT = int(os.environ.get("EDGE_CACHE_TIMEOUT", "0"))

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads (see cms/uploads.py): no file may weigh more than UPLOAD_MAX_SIZE_MB,
# checked while it is received; a démarche's document fields have lower limits
# of their own. Keep the proxy's client_max_body_size above it (deploy/nginx).
UPLOAD_MAX_SIZE_MB = int(os.environ.get("UPLOAD_MAX_SIZE_MB", "20"))
FILE_UPLOAD_HANDLERS = [
    "cms.uploads.LimitedMemoryFileUploadHandler",
    "cms.uploads.LimitedTemporaryFileUploadHandler",
]
# Files above this are written to a temporary file while received.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The fields of a request other than its files (the largest is a pasted FAQ).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# ClamAV's daemon scans every uploaded file when set: unix:///run/clamav/clamd.ctl
# or tcp://127.0.0.1:3310 (cms/antivirus.py). Empty: no scanning.
CLAMAV_ADDRESS = os.environ.get("CLAMAV_ADDRESS", "")
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "30"))

WAGTAIL_SITE_NAME = _("Citizen portal")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "md"]
# Each document's content must match its extension (cms/documents.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.documents.DocumentForm"
# Documents are always downloaded, never shown in the browser.
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
WAGTAILIMAGES_MAX_UPLOAD_SIZE = UPLOAD_MAX_SIZE_MB * 1024 * 1024
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# No third-party origin in the admin either: no avatars from Gravatar, no
# check for new Wagtail releases from releases.wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Payments: the local test bank moves no money and is for the demo and the
# tests only; PAYFIP_WSDL_URL points PayFiP's web service elsewhere than
# eopayment's copy of the DGFiP's WSDL (a qualification service, a test double).
PAYMENTS_TESTBANK_ENABLED = os.environ.get("PAYMENTS_TESTBANK_ENABLED", "true") == "true"
PAYFIP_WSDL_URL = os.environ.get("PAYFIP_WSDL_URL", "")

# The platform that hosts the communes: named as the host in each commune's
# legal notice, and the target of the DNS record of a new commune's host name
# (by default the first host name of ALLOWED_HOSTS that is no pattern).
PORTAL_HOST_NAME = os.environ.get("PORTAL_HOST_NAME", "")
PORTAL_HOST_ADDRESS = os.environ.get("PORTAL_HOST_ADDRESS", "")
PORTAL_DNS_TARGET = os.environ.get("PORTAL_DNS_TARGET", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portail@localhost")

# How citizens are told, by the preference of their account ("email",
# "phone" for text messages); a preference without a channel gets e-mail.
NOTIFICATION_CHANNELS = {
    "email": "cms.notifications.EmailChannel",
    "phone": "cms.notifications.SmsChannel",
}
# Text messages that can wait are not sent between these hours (local time,
# "21-8": from 21:00 to 08:00) but in the morning. Each commune's provider and
# its credentials are set in the admin (Settings > Text messages (SMS)).
SMS_QUIET_HOURS = tuple(int(h) for h in os.environ.get("SMS_QUIET_HOURS", "21-8").split("-"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"bad_requests": {"()": "cms.logging.OrdinaryBadRequests"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["bad_requests"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # What the daily jobs did (retention of personal data), whatever LOG_LEVEL.
    "loggers": {
        "services.retention": {"level": "INFO"},
        "cms.scheduling": {"level": "INFO"},
    },
}

# Security headers (README.md, "Security headers"). The Content-Security-Policy of
# every response, public site and Wagtail admin alike: scripts only from our
# own files (and, in the admin, the few inline scripts of Wagtail's templates
# that carry the response's nonce), nothing from another origin. Inline
# *styles* stay allowed: the Wagtail admin sets style attributes in its
# templates and scripts, and each commune's colours are an inline <style>.
# A response adds what it needs with cms.security.csp_allow (a commune's
# reCAPTCHA, the bank's form) or django-csp's decorators.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        # blob: for the previews of images being uploaded in the admin.
        "img-src": [
            SELF,
            "data:",
            "blob:",
            *[o for o in os.environ.get("CSP_IMG_SRC", "").split(",") if o],
        ],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Wagtail's preview is a same-origin frame; no other site may frame us.
        "frame-ancestors": [SELF],
    }
}
# The same for browsers without frame-ancestors; Wagtail's preview views say
# SAMEORIGIN themselves.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No address of ours is sent to another site (tracking links carry a secret
# token); same-origin requests keep theirs, which Django's CSRF check reads.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the portal never uses, denied to every page and frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Citizen identifiers are unique per commune (see accounts.User), not globally;
# the authentication backends look them up within the right scope.
# reCAPTCHA keys are each commune's own (CommuneSettings), never global ones.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "django_recaptcha.recaptcha_test_key_error"]

# The health endpoint reports the task queue as failing when a task has waited
# this many seconds for a worker.
HEALTH_TASK_MAX_WAIT = int(os.environ.get("HEALTH_TASK_MAX_WAIT", "300"))
