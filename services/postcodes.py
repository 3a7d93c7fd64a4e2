"""The communes of a postcode, for the forms that offer them as it is typed."""

from django.http import Http404, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .fields.postcodes import POSTCODE, communes_of

#: The table changes a few times a year.
MAX_AGE = 24 * 3600


@require_GET
def postcodes_view(request, postcode: str):
    if not POSTCODE.fullmatch(postcode):
        raise Http404
    response = JsonResponse(
        {
            "postcode": postcode,
            "communes": [{"name": c.name, "insee": c.insee} for c in communes_of(postcode)],
        }
    )
    if not request.user.is_authenticated:
        # What a signed-in person is answered is never kept by a shared cache
        # (``accounts.sessions.PrivateResponsesMiddleware``), even this.
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
