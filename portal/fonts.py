"""The fonts of the PDFs the product makes (receipts, letterheads, signature stamps).

DejaVu (Debian's fonts-dejavu-core, installed by ``make``) covers Uzbek Latin with ʻ and ʼ,
Uzbek Cyrillic and Russian. ``PDF_FONT_DIR`` points elsewhere when the fonts live elsewhere.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def font_dir() -> Path:
    folder = Path(getattr(settings, "PDF_FONT_DIR", DEFAULT_FONT_DIR))
    missing = [name for name in FONT_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"The PDF fonts are missing from {folder}: {', '.join(missing)} "
            "(install fonts-dejavu-core, or set PDF_FONT_DIR to a directory holding them)."
        )
    return folder
