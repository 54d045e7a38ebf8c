"""URLs for ``bench/intake_load.py``: the project's URLs, plus the floor view.

``POST /bench/floor/`` is the least a Django view in this project can do with an application:
it goes through the project's whole middleware stack, parses the same multipart body as the
other scenarios, and runs one raw-SQL ``INSERT`` (autocommit, no transaction block) into
``bench_floor``, a table the bench creates in its own database. It answers 201 with the new id.
CSRF is not checked (an API-style endpoint, like ``/api/v1/applications/``).
"""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns

FLOOR_TABLE = "bench_floor"
FLOOR_TABLE_SQL = (
    f"CREATE TABLE {FLOOR_TABLE} ("
    " id bigserial PRIMARY KEY,"
    " created_at timestamptz NOT NULL DEFAULT now(),"
    " data jsonb NOT NULL)"
)


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = json.dumps(request.POST.dict(), ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (data) VALUES (%s) RETURNING id",  # noqa: S608 - constant
            [data],
        )
        (new_id,) = cursor.fetchone()
    return JsonResponse({"id": new_id}, status=201)


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    *project_urlpatterns,
]
