"""The front-end files we serve from npm packages, and only those.

The packages (package-lock.json pins them) ship far more than the platform uses: echarts'
dist alone is 51 MB of builds, and Tabler's dist/libs holds third-party CSS that points at
source maps the package does not include, which makes the manifest storage of
`collectstatic` fail. This finder exposes exactly the files listed in
`settings.VENDOR_STATIC` under their `vendor/…` prefix, for `runserver` and `collectstatic`
alike.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # (URL prefix, source folder, file names) from settings.VENDOR_STATIC.
        self.entries = [(prefix, Path(folder), tuple(names)) for prefix, folder, names in settings.VENDOR_STATIC]

    def check(self, **kwargs) -> list[Error]:
        return [
            Error(f"{folder / name} is missing: run `npm ci` (make setup)", id="governance.E010")
            for _prefix, folder, names in self.entries for name in names if not (folder / name).is_file()
        ]

    def find(self, path: str, find_all: bool = False, **kwargs):
        for prefix, folder, names in self.entries:
            head, _sep, name = path.rpartition("/")
            if head == prefix and name in names and (folder / name).is_file():
                found = str(folder / name)
                return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, folder, names in self.entries:
            storage = FileSystemStorage(location=folder)
            storage.prefix = prefix  # collectstatic writes prefix/name
            for name in names:
                if (folder / name).is_file():
                    yield name, storage
