"""The public employer lookup: a valid credit code or organisation code gives the employer's name, nothing else.

Used by the wizard's employer field (``static/forms_intake/js/employer_lookup.js``) and by anyone: no
token, limited per client address (``portal/ratelimit.py``). The registry is ``Employer`` (seed item 5,
filled by the outreach imports).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router

from forms_intake.api import schemas
from forms_intake.api.auth import ApiError
from forms_intake.models.api import employer_by_code
from forms_intake.rules.employer_codes import validate_employer_code
from portal import ratelimit

router = Router(tags=["employers"])

LIMIT_PER_MINUTE = 60


@router.get("/employers/{path:code}", auth=None, url_name="employer",
            response={200: schemas.Employer, 404: schemas.Error, 422: schemas.Error, 429: schemas.Error},
            summary="Employer name by credit code or organisation code (public)")
def employer(request, code: str):
    """The employer's name for an 18-character credit code or a 9-character organisation code."""
    if not ratelimit.hit("api-employer", ratelimit.client_key(request), LIMIT_PER_MINUTE, 60):
        raise ApiError(429, "rate_limited", "Too many requests: wait a minute and try again.")
    try:
        normalised = validate_employer_code(code[:40])
    except ValidationError as exc:
        raise ApiError(422, "invalid_code", " ".join(str(m) for m in exc.messages)) from None
    found = employer_by_code(normalised)
    if found is None:
        raise ApiError(404, "not_found", "No employer with this code in the registry.")
    request.api_count = 1
    return {"name": found.name}
