"""Reading the files people upload without letting one built against a parser exhaust the
server: every parser of an uploaded file (pypdf, pyHanko, zipfile, Pillow) goes through here.

What such a file does, and what stops it (the limits are the ``FILES_*`` settings, read at each
call):

- nesting (a PDF with 100,000 arrays inside each other, which a recursive parser follows until
  Python's stack runs out): ``pdf_precheck`` counts how deep arrays and dictionaries go in the
  raw bytes and in the object streams, up to ``FILES_MAX_NESTING``; a parser that still recurses
  too deep (``RecursionError``) is stopped by ``guarded``;
- reference loops (a page tree or form field whose ``/Kids`` holds itself, ``/Pages`` pointing
  back at the catalogue): ``pdf_page_count`` walks the page tree and the form fields without
  recursion and refuses a node found inside itself;
- compression bombs: each Flate stream of a PDF (not its images, which nothing here decodes) and
  each part of a ZIP (the office documents) is unpacked, counting the bytes and keeping none: a
  stream over ``FILES_PDF_STREAM_MAX_BYTES``, or a file over ``FILES_MAX_INFLATED_BYTES`` in
  all, is refused, and pypdf's own decoding limits are set to the same figures while it reads
  (``guarded``). An image is not decoded: its header's size over ``FILES_IMAGE_MAX_PIXELS`` is
  refused;
- sheer size and odd structure: more than ``FILES_PDF_MAX_PAGES`` pages (or TIFF frames),
  ``FILES_PDF_MAX_OBJECTS`` objects, ``FILES_PDF_MAX_WORDS`` words outside streams (which the
  PDF libraries read one at a time: a 10 MB catalogue of numbers kept pyHanko busy for two
  minutes and 1.3 GB) or ``FILES_ZIP_MAX_ENTRIES`` parts; a ZIP part named outside its package
  (``../x``, ``/etc/x``) or twice.

A refusal is a ``FileRefused``, whose message (in the request's language) names the file.
"""

import io
import logging
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import pypdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf.errors import LimitReachedError
from pypdf.generic import DictionaryObject, IndirectObject

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

logger = logging.getLogger(__name__)

NESTED = _(
    "“%(name)s” is refused: its structure is nested more than %(limit)s levels deep. Only "
    "damaged files, and files made to crash the programs that open them, are built like this."
)
TOO_COMPLEX = _("“%(name)s” is refused: it is damaged or too complex to open safely.")
INFLATES = _(
    "“%(name)s” is refused: its compressed content unpacks to more than %(limit)s. Only "
    "damaged files, and files made to exhaust the memory of the programs that open them "
    "(“compression bombs”), do this."
)
LOOP = _(
    "“%(name)s” is refused: parts of it refer back to themselves in a loop. Only damaged "
    "files, and files made to hang the programs that open them, are built like this."
)
PAGES = _("“%(name)s” has more than %(limit)s pages; split it into smaller files.")
OBJECTS = _(
    "“%(name)s” is refused: it is made of more than %(limit)s objects, too many to open safely."
)
ZIP_ENTRIES = _(
    "“%(name)s” is refused: it holds more than %(limit)s parts, more than any office document."
)
ZIP_NAME = _(
    "“%(name)s” is refused: it holds a part named “%(part)s”, which points outside the document."
)
ZIP_DAMAGED = _("“%(name)s” is damaged: its parts cannot be unpacked.")
PIXELS = _(
    "“%(name)s” is refused: the image has more than %(limit)s pixels. Scan it at a lower "
    "resolution."
)
IMAGE_DAMAGED = _("“%(name)s” is damaged: the image cannot be read.")

# What one unpacking step yields at most: the bytes in memory at a time.
INFLATE_CHUNK = 1024 * 1024
# How far before "stream" a stream's dictionary is looked for.
DICTIONARY_LOOKBACK = 4096
# A ZIP's central directory holds about 100 bytes an entry; more than this many is not an
# office document's (and zipfile would build an object for every entry before any check).
ZIP_DIRECTORY_BYTES_PER_ENTRY = 512


class FileRefused(ValueError):
    """An uploaded file that is not read further; ``text(name)`` says why, naming the file."""

    def __init__(self, message: "str | _StrPromise", *, code: str, **params: Any) -> None:
        super().__init__(code)
        self.message = message
        self.code = code
        self.params = params

    def text(self, name: str) -> str:
        return str(self.message) % {"name": name, **self.params}

    def validation_error(self, name: str) -> ValidationError:
        return ValidationError(self.message, code=self.code, params={"name": name, **self.params})


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _too_nested() -> FileRefused:
    return FileRefused(NESTED, code="nested", limit=_count(settings.FILES_MAX_NESTING))


def _inflates(limit: int) -> FileRefused:
    return FileRefused(INFLATES, code="inflates", limit=filesizeformat(limit))


# --- Any parser -------------------------------------------------------------------------------
@contextmanager
def guarded() -> Iterator[None]:
    """Parsing an uploaded file: pypdf's limits from the settings, and a parser that recursed
    too deep, ran out of memory or reached one of pypdf's limits gives a ``FileRefused``."""
    stream_limit: int = settings.FILES_PDF_STREAM_MAX_BYTES
    nesting: int = settings.FILES_MAX_NESTING
    try:
        with pypdf.apply_configuration(
            maximum_declared_stream_length=stream_limit,
            array_based_stream_maximum_output_length=stream_limit,
            jbig2_maximum_output_length=stream_limit,
            lzw_maximum_output_length=stream_limit,
            run_length_maximum_output_length=stream_limit,
            zlib_maximum_output_length=stream_limit,
            brotli_maximum_output_length=stream_limit,
            image_maximum_buffer_size=stream_limit,
            page_tree_maximum_depth=nesting,
            outline_maximum_depth=nesting,
            form_fields_maximum_depth=nesting,
        ):
            yield
    except RecursionError:
        raise FileRefused(TOO_COMPLEX, code="too_complex") from None
    except MemoryError:
        raise FileRefused(TOO_COMPLEX, code="too_complex") from None
    except LimitReachedError as error:
        logger.info("Upload refused at a pypdf limit: %s", error)
        raise FileRefused(TOO_COMPLEX, code="too_complex") from None


def _inflate(body: bytes | memoryview, limit: int, sink: Callable[[bytes], None] | None) -> int:
    """How many bytes a zlib (or gzip) stream unpacks to, counted up to just past ``limit``.

    Not zlib, or damaged: what came out before the error (the parsers judge the rest)."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)
    produced = 0
    pending: bytes | memoryview = body
    try:
        while pending:
            chunk = decompressor.decompress(pending, INFLATE_CHUNK)
            progress = len(chunk) or len(pending) != len(decompressor.unconsumed_tail)
            pending = decompressor.unconsumed_tail
            produced += len(chunk)
            if produced > limit:
                break
            if sink is not None:
                sink(chunk)
            if decompressor.eof or not progress:
                break
    except zlib.error:
        pass
    return produced


class _Depth:
    """How deep arrays and dictionaries go, fed the bytes in order; a new object starts at 0.

    Brackets inside strings are counted too: a few stray ones cannot reach the limit, since
    the count starts again at each object."""

    TOKENS = re.compile(rb"<<|>>|\[|\]|endobj")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0

    def feed(self, data: bytes, start: int = 0, stop: int | None = None) -> None:
        depth, limit = self.depth, self.limit
        for match in self.TOKENS.finditer(data, start, len(data) if stop is None else stop):
            token = match[0]
            if token in (b"<<", b"["):
                depth += 1
                if depth > limit:
                    raise _too_nested()
            elif token == b"endobj":
                depth = 0
            elif depth:
                depth -= 1
        self.depth = depth


# --- PDF --------------------------------------------------------------------------------------
_STREAM_START = re.compile(rb">>\s*stream(?:\r\n|\r|\n)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
# A cross-reference table's line: 20 bytes, 4 separators (two spaces, a two-byte line end).
_XREF_ENTRY = re.compile(rb"\d{10} \d{5} [nf](?: \r| \n|\r\n)")
# What separates the words of a PDF (whitespace and delimiters): their count bounds how many
# words a parser reads one at a time (pyHanko: about 25 microseconds and 250 bytes each).
_SEPARATORS = (b" ", b"\n", b"\r", b"\t", b"\x0c", b"\x00", b"[", b"]", b"<", b">", b"(", b"/")


def _words(data: bytes, start: int = 0, stop: int | None = None) -> int:
    stop = len(data) if stop is None else stop
    return sum(data.count(separator, start, stop) for separator in _SEPARATORS)


class _PdfScan:
    """The words outside streams and in object streams, counted up to ``FILES_PDF_MAX_WORDS``
    before their nesting is followed (so that following it costs little), and the unpacked
    bytes of the Flate streams."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.nesting: int = settings.FILES_MAX_NESTING
        self.stream_limit: int = settings.FILES_PDF_STREAM_MAX_BYTES
        self.total_limit: int = settings.FILES_MAX_INFLATED_BYTES
        self.words_left: int = settings.FILES_PDF_MAX_WORDS
        self.inflated = 0

    def count(self, data: bytes, start: int = 0, stop: int | None = None) -> None:
        stop = len(data) if stop is None else stop
        # Cross-reference table lines are read by a simpler, faster path: not counted (and
        # their separators are all they can add to the allowance).
        entries = sum(1 for _ in _XREF_ENTRY.finditer(data, start, stop))
        self.words_left -= _words(data, start, stop) - 4 * entries
        if self.words_left < 0:
            raise FileRefused(TOO_COMPLEX, code="words")

    def run(self) -> None:
        data, position = self.data, 0
        depth = _Depth(self.nesting)
        view = memoryview(data)
        while True:
            match = _STREAM_START.search(data, position)
            stop = match.start() + 2 if match else len(data)
            self.count(data, position, stop)
            depth.feed(data, position, stop)
            if match is None:
                return
            body_start = match.end()
            end = data.find(b"endstream", body_start)
            end = len(data) if end < 0 else end
            lookback = data[max(position, match.start() - DICTIONARY_LOOKBACK) : match.start()]
            dictionary = lookback[lookback.rfind(b"obj") + 1 :]
            position = end
            if _IMAGE.search(dictionary) or not _FLATE.search(dictionary):
                continue
            self.unpack(view[body_start:end], objects=bool(_OBJECT_STREAM.search(dictionary)))

    def unpack(self, body: memoryview, *, objects: bool) -> None:
        sink = None
        if objects:  # an object stream: its objects' words and nesting, as for the file's
            depth = _Depth(self.nesting)

            def sink(chunk: bytes) -> None:
                self.count(chunk)
                depth.feed(chunk)

        budget = min(self.stream_limit, self.total_limit - self.inflated)
        size = _inflate(body, budget, sink)
        if size > self.stream_limit:
            raise _inflates(self.stream_limit)
        self.inflated += size
        if self.inflated > self.total_limit:
            raise _inflates(self.total_limit)


def pdf_precheck(data: bytes) -> None:
    """The raw bytes of a PDF, before any PDF library reads them: how many words and how deeply
    nested outside streams and in object streams, and what each Flate stream but an image's
    unpacks to."""
    _PdfScan(data).run()


def pdf_open(data: bytes) -> pypdf.PdfReader:
    """pypdf's reader of an uploaded PDF, after ``pdf_precheck``, with its objects counted.

    Run inside ``guarded``. pypdf's own errors (a damaged file) are left to the caller."""
    pdf_precheck(data)
    reader = pypdf.PdfReader(io.BytesIO(data))
    limit: int = settings.FILES_PDF_MAX_OBJECTS
    numbers = {number for table in reader.xref.values() for number in table}
    if len(numbers | set(reader.xref_objStm)) > limit:
        raise FileRefused(OBJECTS, code="objects", limit=_count(limit))
    return reader


def pdf_page_count(reader: pypdf.PdfReader) -> int:
    """The pages of the page tree. The tree and the form fields (where signatures go) are
    walked without recursion: a node inside itself (a loop), a tree deeper than
    ``FILES_MAX_NESTING``, or more than ``FILES_PDF_MAX_PAGES`` pages is refused.

    An encrypted PDF must be decrypted first."""
    root_reference = reader.trailer.raw_get("/Root")
    root = reader.trailer["/Root"]
    if not isinstance(root, DictionaryObject):
        return 0
    top: _Chain = None
    if isinstance(root_reference, IndirectObject):
        top = ((root_reference.idnum, root_reference.generation), None)
    form = _resolved(root.get("/AcroForm"))
    if isinstance(form, DictionaryObject) and "/Fields" in form:
        fields = form.raw_get("/Fields")
        _tree_leaves(fields, top, limit=settings.FILES_PDF_MAX_OBJECTS, too_many=OBJECTS)
    if "/Pages" not in root:
        return 0
    return _tree_leaves(root.raw_get("/Pages"), top, limit=settings.FILES_PDF_MAX_PAGES)


# The references from a node up to the top: (reference, the parent's chain).
_Chain = tuple[tuple[int, int], "_Chain"] | None


def _tree_leaves(
    top: Any, ancestors: _Chain, *, limit: int, too_many: "_StrPromise" = PAGES
) -> int:
    """The leaves under ``top`` (a node, a reference to one, or an array of them) along
    ``/Kids``. A node under itself is a loop; more than ``limit`` leaves (refused with
    ``too_many``), or more than ``FILES_PDF_MAX_OBJECTS`` nodes met (shared subtrees), are
    refused. What is not a dictionary (damage) is left to the parsers."""
    nesting: int = settings.FILES_MAX_NESTING
    visits_limit: int = settings.FILES_PDF_MAX_OBJECTS
    stack: list[tuple[Any, int, _Chain]] = [(top, 0, ancestors)]
    leaves = visits = 0
    while stack:
        item, level, chain = stack.pop()
        visits += 1
        if visits > visits_limit:
            raise FileRefused(OBJECTS, code="objects", limit=_count(visits_limit))
        if level > nesting:
            raise _too_nested()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            link = chain
            while link is not None:
                if link[0] == key:
                    raise FileRefused(LOOP, code="loop")
                link = link[1]
            chain = (key, chain)
            item = item.get_object()
        if isinstance(item, list):  # an array of nodes (the fields)
            stack.extend((kid, level + 1, chain) for kid in reversed(item))
            continue
        if not isinstance(item, DictionaryObject):
            continue
        kids = _resolved(item.get("/Kids"))
        if isinstance(kids, list):
            stack.extend((kid, level + 1, chain) for kid in reversed(kids))
        elif _resolved(item.get("/Type")) != "/Pages":
            leaves += 1
            if leaves > limit:
                code = "pages" if too_many is PAGES else "objects"
                raise FileRefused(too_many, code=code, limit=_count(limit))
    return leaves


def _resolved(value: Any) -> Any:
    """A dictionary's value as it is, or what it refers to (``get`` does not follow)."""
    return value.get_object() if isinstance(value, IndirectObject) else value


# --- ZIP (office documents) -------------------------------------------------------------------
def zip_check(archive: IO[bytes]) -> None:
    """A ZIP's index and every part, unpacked and counted: its entries, their names, what they
    unpack to in all, and their checksums."""
    entries_limit: int = settings.FILES_ZIP_MAX_ENTRIES
    total_limit: int = settings.FILES_MAX_INFLATED_BYTES
    too_many = FileRefused(ZIP_ENTRIES, code="zip_entries", limit=_count(entries_limit))
    damaged = FileRefused(ZIP_DAMAGED, code="zip_damaged")
    directory = _zip_directory(archive)
    if directory is None:
        raise damaged
    count, directory_size = directory
    if count > entries_limit or directory_size > entries_limit * ZIP_DIRECTORY_BYTES_PER_ENTRY:
        raise too_many
    try:
        archive.seek(0)
        with zipfile.ZipFile(archive) as package:
            infos = package.infolist()
            if len(infos) > entries_limit:
                raise too_many
            names = [info.filename for info in infos]
            for name in names:
                if _zip_name_unsafe(name):
                    raise FileRefused(ZIP_NAME, code="zip_name", part=_printable(name))
            if len(set(names)) != len(names):
                raise damaged  # two parts of one name: readers disagree on which is meant
            if sum(info.file_size for info in infos) > total_limit:
                raise _inflates(total_limit)
            unpacked = 0
            for info in infos:
                with package.open(info) as part:
                    while chunk := part.read(INFLATE_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > total_limit:
                            raise _inflates(total_limit)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError) as error:
        logger.info("ZIP upload refused: %s: %s", type(error).__name__, error)
        raise damaged from None
    except (EOFError, OSError, ValueError, zlib.error, struct.error) as error:
        logger.info("ZIP upload refused: %s: %s", type(error).__name__, error)
        raise damaged from None


def zip_entry_count(archive: IO[bytes]) -> int | None:
    """The entry count of a ZIP's end-of-central-directory record (None: none, or ZIP64)."""
    directory = _zip_directory(archive)
    return None if directory is None else directory[0]


def _zip_directory(archive: IO[bytes]) -> tuple[int, int] | None:
    """The entry count and central directory size from the end-of-central-directory record,
    read before zipfile indexes anything; None without one, or for ZIP64 (0xFFFF entries)."""
    archive.seek(0, io.SEEK_END)
    size = archive.tell()
    tail_size = min(size, 22 + 0xFFFF)  # the record, plus the longest archive comment
    archive.seek(size - tail_size)
    tail = archive.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    count, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if count == 0xFFFF or directory_size == 0xFFFFFFFF:
        return None
    return int(count), int(directory_size)


def _zip_name_unsafe(name: str) -> bool:
    """A part name that would land outside the package if unpacked: absolute, a drive, a
    backslash path, ``..``, or a NUL."""
    if name.startswith("/") or "\\" in name or "\x00" in name:
        return True
    parts = name.split("/")
    return ".." in parts or bool(re.match(r"[A-Za-z]:", parts[0]))


def _printable(text: str, limit: int = 80) -> str:
    """Text from a file, fit to quote in a message: no control or format characters, capped."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


# --- Images -----------------------------------------------------------------------------------
def image_check(source: IO[bytes]) -> None:
    """An image's size from its header (nothing decoded): each frame at most
    ``FILES_IMAGE_MAX_PIXELS``, at most ``FILES_PDF_MAX_PAGES`` frames."""
    limit: int = settings.FILES_IMAGE_MAX_PIXELS
    frames_limit: int = settings.FILES_PDF_MAX_PAGES
    too_large = FileRefused(PIXELS, code="pixels", limit=_count(limit))
    source.seek(0)
    try:
        with Image.open(source) as image:
            frames = 0
            while True:
                width, height = image.size
                if width * height > limit:
                    raise too_large
                frames += 1
                if frames > frames_limit:
                    raise FileRefused(PAGES, code="pages", limit=_count(frames_limit))
                try:
                    image.seek(image.tell() + 1)
                except EOFError:
                    return
    except Image.DecompressionBombError:
        raise too_large from None
    except FileRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error) as error:
        # UnidentifiedImageError is an OSError.
        logger.info("Image upload refused: %s: %s", type(error).__name__, error)
        raise FileRefused(IMAGE_DAMAGED, code="image_damaged") from None
