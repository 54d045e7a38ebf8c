"""The one response for every stored file the application hands out after its access check.

Every download view (attachment versions in the workspace and on the tracking page, drafts and
their signed copies, detached signatures) checks who may see the file, then calls
``file_response``. The response is the same either way: the file's own name, its type, as a
download, ``X-Content-Type-Options: nosniff`` so that no browser runs a file as a page, and
``Cache-Control: private, no-store`` so that no shared cache or browser history keeps it (a
citizen's own result is downloaded without signing in; ``core.headers``).

By default the application streams the bytes (``FileResponse``). Behind nginx
(``FILES_ACCEL_REDIRECT_PREFIX``, e.g. ``/protected-media``) it answers with an empty response
carrying ``X-Accel-Redirect: <prefix>/<storage name>`` instead, and nginx sends the file from an
``internal`` location over MEDIA_ROOT (deploy/nginx/khokimiyat.conf): a 20 MB scan then takes no
gunicorn worker for as long as a slow connection needs, and nginx answers range requests. Only
files of a local ``FileSystemStorage`` under MEDIA_ROOT are handed over, since that is all the
internal location can see; anything else is streamed as before.
"""

import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header


def file_response(
    stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponseBase:
    """``stored`` as a download named ``filename``: handed to nginx when a prefix is set and
    nginx can reach the file, streamed from storage otherwise."""
    path = accel_redirect_path(stored)
    response: HttpResponseBase
    if path is None:
        response = FileResponse(
            stored.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    else:
        # nginx keeps Content-Type and Content-Disposition from this answer and adds the length.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = path
        disposition = content_disposition_header(as_attachment, os.path.basename(filename))
        if disposition:
            response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


def accel_redirect_path(stored: FieldFile) -> str | None:
    """The URL under ``FILES_ACCEL_REDIRECT_PREFIX`` at which nginx finds ``stored``, or None
    when the application must stream it (no prefix, or a storage nginx does not see).

    The storage name is URL-quoted: nginx decodes the header before looking the file up, so a
    name with spaces, ``%``, ``?`` or Cyrillic letters still reaches the same file.
    """
    prefix = settings.FILES_ACCEL_REDIRECT_PREFIX.rstrip("/")
    storage = stored.storage
    if not prefix or not stored.name or not isinstance(storage, FileSystemStorage):
        return None
    if os.path.abspath(storage.location) != os.path.abspath(settings.MEDIA_ROOT):
        return None
    return f"{prefix}/{quote(stored.name)}"
