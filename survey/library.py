"""Where qualifications live and what a centre publishes: shipped content, the centre's own content
under the instance folder, a version of every file published, and every worker process seeing a
publication on its next request. Pure Python: the file system only, no Flask, no database.

On disk (README, "Where content lives"); the shipped folders are never written:

    content/<code>/                  shipped: qualification.toml, roles.toml, contexts.toml,
                                     activities.toml, units/<NUMBER>.toml
    instance/content/
      GENERATION                     one line appended per publication: a worker compares its
                                     size with what it has read (one stat) to know what changed
      .lock                          publishers hold it exclusively, loaders shared
      <code>/                        the centre's files of one qualification: every file of one
                                     added here, only the files it changed of a shipped one
        units/<NUMBER>.toml …
        versions/units/<NUMBER>/     log.json (who, when, note, hash, statements of each
                                     version) and 1.toml, 2.toml …, the text of each version
        versions/qualification/ …    the same for qualification.toml (and roles, contexts,
                                     activities)

A publication is checked by loading the qualification with the new text before anything is
written, under the exclusive lock. It is then written into a new copy of the centre's folder
(unchanged files hard-linked, new ones written and fsynced) that replaces the folder by rename, so
a failure or a crash at any point leaves the previous content current.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .content import (
    FOLDER_FILES,
    QUALIFICATION_CODE,
    QUALIFICATION_CODE_RULE,
    UNIT_NUMBER,
    UNIT_NUMBER_RULE,
    ContentError,
    Qualification,
    Reader,
    Statement,
    load_qualification,
    parse_toml,
)
from .content_files import toml_document, unit_file_name

GENERATION = "GENERATION"
LOCK = ".lock"
VERSIONS = "versions"
LOG = "log.json"
# names beside the qualification folders that are not qualifications
RESERVED = ("funding", GENERATION, VERSIONS)
ORIGINS = ("shipped", "centre", "shipped+centre")
UNIT_FILE = re.compile(r"units/([A-Z0-9]{1,10})\.toml")
# a folder being written (.<code>.new-…) or being replaced (.<code>.old-…)
_SIDE = re.compile(r"\.(?P<code>.+)\.(?P<kind>new|old)-[A-Za-z0-9_]+")


class LibraryError(Exception):
    """A request the library refuses (an unknown qualification, unit or version), in one line."""


class PublishError(ContentError, LibraryError):
    """Content that would not load, so nothing was written: names the file, field and problem."""


@dataclass(frozen=True)
class Listing:
    """One qualification the library can serve."""

    code: str
    title: str
    origin: str  # shipped, centre (added under the instance folder), or shipped+centre
    problem: str = ""  # why its qualification.toml cannot be read, when it cannot


@dataclass(frozen=True)
class Version:
    """One version of a published file: who published it, when, and what it held.

    Version 1 of a file that existed before the centre first published it is the file as it was
    (shipped, or a unit still without criteria: no file, rated through its unit statement); its
    `when` is None: it was current from the start.
    """

    code: str
    file: str  # within the qualification folder: units/B1.toml, qualification.toml
    unit: str  # the unit's number, for a unit file
    number: int
    who: str
    when: datetime | None
    note: str
    sha256: str  # of the text; "" when the version is no file at all
    # a unit's: the statement ids a learner answered under it; qualification.toml's: the units'
    # own statements (UNIT:unit), whose words it holds
    statements: tuple[str, ...]
    restored_from: int | None = None

    @property
    def absent(self) -> bool:
        return not self.sha256


class Library:
    """The qualifications in a shipped content folder and a centre's folder, loaded and kept.

    `shipped` holds content/<code>/ folders (read only); `instance` the centre's, usually
    instance/content. `folders` names the shipped folder of a code where it is named otherwise
    (FLASK_CONTENT pointing at a copy, say). Any number of Library objects, in any processes,
    may share the folders.
    """

    def __init__(
        self,
        shipped: Path,
        instance: Path,
        clock: Callable[[], datetime] | None = None,
        folders: Mapping[str, Path] | None = None,
    ) -> None:
        self.shipped = Path(shipped)
        self.instance = Path(instance)
        self._named = {code: Path(folder) for code, folder in (folders or {}).items()}
        self._clock = clock or (lambda: datetime.now(UTC))
        self._guard = threading.RLock()
        self._cache: dict[str, Qualification] = {}
        self._seen: tuple[int, int] | None = None  # GENERATION's inode and the bytes read

    # ---- what there is -------------------------------------------------------------------

    def __contains__(self, code: object) -> bool:
        """Whether there is a qualification of this code, shipped or the centre's."""
        return (
            isinstance(code, str)
            and _is_code(code)
            and (self._shipped(code) is not None or self._top(code).is_dir())
        )

    def qualifications(self) -> tuple[Listing, ...]:
        """Every qualification found, by code: shipped ones, and those added by the centre."""
        named = {folder.resolve() for folder in self._named.values()}
        shipped = {
            d.name
            for d in _folders(self.shipped)
            if _is_code(d.name)
            and (d / "qualification.toml").is_file()
            and d.resolve() not in named
        }
        shipped |= {code for code in self._named if self._shipped(code) is not None}
        centre = {d.name for d in _folders(self.instance) if _is_code(d.name)}
        centre |= {m["code"] for m in _side_folders(self.instance) if m["kind"] == "old"}
        listed = []
        with self._locked(fcntl.LOCK_SH):
            for code in sorted(shipped | centre):
                if code in shipped:
                    origin = "shipped+centre" if code in centre else "shipped"
                else:
                    origin = "centre"
                title, problem = "", ""
                try:
                    title = _title(self._top(code), self._shipped(code))
                except ContentError as e:
                    problem = str(e)
                listed.append(Listing(code, title, origin, problem))
        return tuple(listed)

    def files(self, code: str) -> dict[str, str]:
        """The text of every file of a qualification as it is served, the centre's over shipped."""
        self._known(code)
        with self._locked(fcntl.LOCK_SH):
            return {name: text for name, (_, text) in self._effective(code).items()}

    def unit_text(self, code: str, unit: str) -> str | None:
        """The unit file served for a unit, or None while the unit has no criteria."""
        for name, text in self.files(code).items():
            if _unit_number(text) == unit and name.startswith("units/"):
                return text
        return None

    # ---- loading, and reloading when another process publishes ---------------------------

    def load(self, code: str) -> Qualification:
        """Load and check a qualification now (ContentError when broken), and keep it."""
        with self._guard:
            self._catch_up()
            return self._load(code)

    def current(self, code: str) -> Qualification:
        """The qualification as published now: the one kept, unless a publication changed it.

        Costs one stat of GENERATION when nothing was published since it was last asked.
        """
        with self._guard:
            self._catch_up()
            q = self._cache.get(code)
            return q if q is not None else self._load(code)

    def _load(self, code: str) -> Qualification:
        self._known(code)
        with self._locked(fcntl.LOCK_SH):
            q = self._read(code)
        self._cache[code] = q
        return q

    def _read(self, code: str) -> Qualification:
        """Load from the folders as they are; the caller holds a lock."""
        top = self._top(code)
        q = load_qualification(top, base=self._shipped(code), former=_former(top))
        if q.code != code:
            main = self._effective(code)["qualification.toml"][0]
            raise ContentError(main, "code", f"{q.code!r} differs from its folder's name {code!r}")
        return q

    def generation(self) -> tuple[int, int] | None:
        """GENERATION's inode and size: it changes whenever anything is published."""
        try:
            stat = os.stat(self.instance / GENERATION)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_size

    def _catch_up(self) -> None:
        """Forget each qualification published since this process last looked."""
        now = self.generation()
        if now == self._seen:
            return
        seen, start = self._seen, 0
        if now is None or (seen is not None and (now[0] != seen[0] or now[1] < seen[1])):
            self._cache.clear()  # the file was removed or replaced: what changed is unknown
        elif seen is not None:
            start = seen[1]
        try:
            with open(self.instance / GENERATION, "rb") as f:
                f.seek(start)
                new = f.read()
        except FileNotFoundError:
            self._seen = None
            return
        whole = new[: new.rfind(b"\n") + 1]  # a line still being appended is read next time
        for line in whole.splitlines():
            try:
                self._cache.pop(json.loads(line)["code"], None)
            except (ValueError, KeyError, TypeError):
                self._cache.clear()
        self._seen = (now[0], start + len(whole)) if now else None

    # ---- publishing ----------------------------------------------------------------------

    def check_unit(
        self, code: str, unit_text_or_data: str | Mapping[str, Any], name: str = ""
    ) -> Qualification:
        """The qualification as it would be with this unit file; PublishError if it would fail."""
        text, number = self._unit_draft(code, unit_text_or_data, name)
        with self._locked(fcntl.LOCK_SH):
            changes = self._unit_changes(code, number, text)
            return self._check(code, changes, name, unit_file_name(number))[0]

    def publish_unit(
        self,
        code: str,
        unit_text_or_data: str | Mapping[str, Any],
        who: str,
        note: str = "",
        name: str = "",
    ) -> Version:
        """Publish one unit file (TOML text, or its data) as the unit's new version.

        The unit is the one its `number` names. `name` is how messages name the draft (the file
        uploaded, say); by default the path it will have. Nothing is written unless the
        qualification loads with it (PublishError otherwise).
        """
        text, number = self._unit_draft(code, unit_text_or_data, name)
        with self._locked(fcntl.LOCK_EX):
            changes = self._unit_changes(code, number, text)
            (version,) = self._publish(code, changes, who, note, name, unit_file_name(number))
        return version

    def publish_qualification(
        self, code: str, files: Mapping[str, str], who: str, note: str = ""
    ) -> tuple[Version, ...]:
        """Publish a whole qualification folder: {path within it: text}, e.g. from a CASE package.

        The centre's files of `code` become these (those equal to the shipped file are left to
        it; for a shipped qualification, a file not given keeps its shipped text). A new version
        is recorded for every file whose text changes; nothing is written unless it all loads.
        """
        if not _is_code(code):
            raise LibraryError(f"the code {code!r} {QUALIFICATION_CODE_RULE}")
        for path in files:
            if path not in FOLDER_FILES and not UNIT_FILE.fullmatch(path):
                raise LibraryError(
                    f"{path}: not a file of a qualification folder (qualification.toml, "
                    "roles.toml, contexts.toml, activities.toml, units/<NUMBER>.toml)"
                )
        with self._locked(fcntl.LOCK_EX):
            shipped = self._shipped(code)
            below = {n: t for n, (_, t) in _texts(shipped).items()} if shipped else {}
            changes: dict[str, str | None] = {n: None for n in _texts(self._top(code))}
            changes.update({n: None if below.get(n) == t else t for n, t in files.items()})
            for path, text in files.items():
                number = UNIT_FILE.fullmatch(path)
                if number and _unit_number(text) not in (None, number[1]):
                    raise PublishError(
                        self._top(code) / path,
                        "number",
                        f"is {_unit_number(text)!r}: a unit's file is units/<its number>.toml",
                    )
            return tuple(self._publish(code, changes, who, note))

    def check_file(self, code: str, path: str, text: str) -> Qualification:
        """The qualification as it would be with this text of qualification.toml (roles,
        contexts, activities); PublishError if it would not load."""
        self._known(code)
        if path not in FOLDER_FILES:
            raise LibraryError(f"{path}: use check_unit() for a unit")
        with self._locked(fcntl.LOCK_SH):
            return self._check(code, {path: text})[0]

    def publish_file(self, code: str, path: str, text: str, who: str, note: str = "") -> Version:
        """Publish a new version of qualification.toml (roles, contexts, activities) alone: the
        qualification's other files stay as they are. Nothing is written unless it loads."""
        self._known(code)
        if path not in FOLDER_FILES:
            raise LibraryError(f"{path}: use publish_unit() for a unit")
        with self._locked(fcntl.LOCK_EX):
            (version,) = self._publish(code, {path: text}, who, note, draft=path)
        return version

    def restore(self, code: str, unit: str, number: int, who: str, note: str = "") -> Version:
        """Make an earlier version of a unit current again, as a new version."""
        return self._restore(code, unit_file_name(unit), number, who, note)

    def restore_file(self, code: str, file: str, number: int, who: str, note: str = "") -> Version:
        """Make an earlier version of qualification.toml (roles, contexts, activities) current."""
        if file not in FOLDER_FILES:
            raise LibraryError(f"{file}: use restore() for a unit")
        return self._restore(code, file, number, who, note)

    def _restore(self, code: str, path: str, number: int, who: str, note: str) -> Version:
        with self._locked(fcntl.LOCK_EX):
            log = _read_log(self._top(code), path)  # under this lock, not _versions' own
            wanted = next((_version(code, path, e) for e in log if e["number"] == number), None)
            if wanted is None:
                raise LibraryError(f"{code} {path} has no version {number}")
            text = self._version_text(code, wanted)
            shipped = self._shipped(code)
            if text is None and shipped and (shipped / path).is_file():
                raise LibraryError(
                    f"version {number} of {path} had no file, but {code} ships one now: "
                    "publish the text wanted instead"
                )
            (version,) = self._publish(
                code,
                {path: text},
                who,
                note or f"restored version {number}",
                draft=path,
                restored_from=number,
            )
        return version

    def _unit_draft(
        self, code: str, unit_text_or_data: str | Mapping[str, Any], name: str
    ) -> tuple[str, str]:
        """The draft as text, and the number of its unit."""
        self._known(code)
        label = name or "the unit draft"
        if isinstance(unit_text_or_data, str):
            text = unit_text_or_data
        else:
            try:
                text = toml_document(unit_text_or_data)
            except TypeError as e:
                raise PublishError(label, "", str(e)) from None
        try:
            number = Reader(label, parse_toml(text, label)).identifier(
                "number", UNIT_NUMBER, UNIT_NUMBER_RULE
            )
        except ContentError as e:
            raise PublishError(e.file, e.field, e.problem) from None
        return text, number

    def _unit_changes(self, code: str, number: str, text: str) -> dict[str, str | None]:
        """The unit's new file, and the end of any other file of the centre's for that unit."""
        path = unit_file_name(number)
        changes: dict[str, str | None] = {path: text}
        for other, (_, other_text) in _texts(self._top(code)).items():
            if other.startswith("units/") and other != path:
                if _unit_number(other_text) == number:
                    changes[other] = None
        return changes

    def _check(
        self, code: str, changes: Mapping[str, str | None], name: str = "", draft: str = ""
    ) -> tuple[Qualification, dict[str, str | None]]:
        """Load the qualification as it would be; PublishError (naming the draft) if it fails."""
        top, shipped = self._top(code), self._shipped(code)
        below = _texts(shipped) if shipped else {}
        after = {
            path: text if text is not None else below.get(path, (None, None))[1]
            for path, text in changes.items()
        }
        try:
            q = load_qualification(top, base=shipped, files=after, former=_former(top))
        except ContentError as e:
            file = name if name and draft and e.file == str(top / draft) else e.file
            raise PublishError(file, e.field, e.problem) from None
        if q.code != code:
            raise PublishError(
                top / "qualification.toml", "code", f"is {q.code!r}, but this is {code!r}"
            )
        return q, after

    def _publish(
        self,
        code: str,
        changes: Mapping[str, str | None],
        who: str,
        note: str,
        name: str = "",
        draft: str = "",
        restored_from: int | None = None,
    ) -> list[Version]:
        """Check, then write; the caller holds the exclusive lock.

        A version is recorded for `draft` (the file published) and for every other file whose
        text changes.
        """
        who = who.strip()
        if not who:
            raise LibraryError("a publication needs who published it")
        self._recover()
        top, shipped = self._top(code), self._shipped(code)
        existed = shipped is not None or top.is_dir()
        q, after = self._check(code, changes, name, draft)
        try:
            before = self._read(code) if existed else None
        except ContentError:
            before = None  # publishing is how broken content gets mended
        served = self._effective(code) if existed else {}
        when = self._clock()
        logs: dict[str, list[dict[str, Any]]] = {}
        texts: dict[tuple[str, int], str] = {}
        made: list[Version] = []
        for path, text in after.items():
            where, old = _served(served, path)
            kept = path in FOLDER_FILES or UNIT_FILE.fullmatch(path)
            if not kept or (path != draft and old == text):
                continue
            log = _read_log(top, path)
            if not log and existed and (old is not None or _statements(before, path)):
                # the first version is the file as it was before
                first = _first_note(where, shipped, path)
                log.append(_entry(1, "", None, first, old, before, path))
                if old is not None:
                    texts[(path, 1)] = old
            number = log[-1]["number"] + 1 if log else 1
            entry = _entry(number, who, when, note.strip(), text, q, path, restored_from)
            log.append(entry)
            logs[path] = log
            if text is not None:
                texts[(path, number)] = text
            made.append(_version(code, path, entry))
        self._write(code, changes, logs, texts)
        return made

    def _write(
        self,
        code: str,
        changes: Mapping[str, str | None],
        logs: Mapping[str, list[dict[str, Any]]],
        texts: Mapping[tuple[str, int], str],
    ) -> None:
        """A new copy of the centre's folder with the changes, put in place of the old by rename."""
        top = self._top(code)
        self.instance.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = Path(tempfile.mkdtemp(prefix=f".{code}.new-", dir=self.instance))
        try:
            if top.is_dir():
                _link_tree(top, staging)
            for path, text in changes.items():
                if text is None:
                    (staging / path).unlink(missing_ok=True)
                else:
                    _write_new(staging / path, text)
            for (path, number), text in texts.items():
                _write_new(_history(staging, path) / f"{number}.toml", text)
            for path, log in logs.items():
                _write_new(_history(staging, path) / LOG, json.dumps(log, indent=1) + "\n")
            _sync_tree(staging)
            _swap(staging, top)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        line = json.dumps({"code": code, "files": sorted(changes), "when": _iso(self._clock())})
        fd = os.open(self.instance / GENERATION, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        _sync_dir(self.instance)  # the file itself may be new

    def _recover(self) -> None:
        """Mend what a crash left: a half-written copy is dropped, a replaced folder put back."""
        for side in _side_folders(self.instance):
            top = self.instance / side["code"]
            path = self.instance / side[0]
            if side["kind"] == "old" and not top.exists():
                os.rename(path, top)
                _sync_dir(self.instance)
            else:
                shutil.rmtree(path, ignore_errors=True)

    # ---- versions ------------------------------------------------------------------------

    def versions(self, code: str, unit: str) -> tuple[Version, ...]:
        """Every version of a unit's file, oldest first; () if the centre never published it."""
        self._known(code)
        return tuple(self._versions(code, unit_file_name(unit)))

    def file_versions(self, code: str, file: str) -> tuple[Version, ...]:
        """Every version of qualification.toml, roles.toml, contexts.toml or activities.toml."""
        self._known(code)
        if file not in FOLDER_FILES:
            raise LibraryError(f"{file}: use versions() for a unit")
        return tuple(self._versions(code, file))

    def version_text(self, code: str, unit: str, number: int) -> str | None:
        """The text of one version of a unit's file (None: the unit had no criteria then)."""
        for v in self.versions(code, unit):
            if v.number == number:
                return self._version_text(code, v)
        raise LibraryError(f"{code} unit {unit} has no version {number}")

    def version_answered(self, code: str, unit: str, answered_at: datetime | str) -> Version | None:
        """The version of a unit current when a learner answered; None if it never changed."""
        moment = (
            datetime.fromisoformat(answered_at) if isinstance(answered_at, str) else answered_at
        )
        if moment.tzinfo is None:
            raise ValueError("answered_at needs a time zone")
        found = None
        for v in self.versions(code, unit):
            if v.when is None or v.when <= moment:
                found = v
        return found

    def _versions(self, code: str, path: str) -> list[Version]:
        with self._locked(fcntl.LOCK_SH):
            return [_version(code, path, e) for e in _read_log(self._top(code), path)]

    def _version_text(self, code: str, version: Version) -> str | None:
        if version.absent:
            return None
        file = _history(self._top(code), version.file) / f"{version.number}.toml"
        try:
            return file.read_text(encoding="utf-8")
        except OSError as e:
            raise LibraryError(f"{file} cannot be read ({e})") from None

    # ---- where the files are -------------------------------------------------------------

    def _known(self, code: str) -> None:
        if code not in self:
            raise LibraryError(f"there is no qualification {code!r}")

    def _shipped(self, code: str) -> Path | None:
        folder = self._named.get(code) or self.shipped / code
        return folder if _is_code(code) and (folder / "qualification.toml").is_file() else None

    def _top(self, code: str) -> Path:
        """The centre's folder of a qualification (which need not exist)."""
        top = self.instance / code
        if not top.exists():  # a crash while it was being replaced: the previous one is current
            for side in _side_folders(self.instance):
                if side["code"] == code and side["kind"] == "old":
                    return self.instance / side[0]
        return top

    def _effective(self, code: str) -> dict[str, tuple[Path, str]]:
        """Every file served, by path: the centre's over the shipped, unit by unit."""
        shipped = self._shipped(code)
        centre = _texts(self._top(code))
        below = _texts(shipped) if shipped else {}
        numbers = {_unit_number(t) for n, (_, t) in centre.items() if n.startswith("units/")}
        for path, (where, text) in below.items():
            hidden = path.startswith("units/") and _unit_number(text) in numbers - {None}
            if path not in centre and not hidden:
                centre[path] = (where, text)
        return dict(sorted(centre.items()))

    @contextmanager
    def _locked(self, how: int) -> Iterator[None]:
        """The library's file lock: exclusive for publishing, shared for reading folders."""
        if how == fcntl.LOCK_SH and not self.instance.is_dir():
            yield  # nothing published yet, so nothing can be replaced while reading
            return
        self.instance.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.instance / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, how)
            yield
        finally:
            os.close(fd)


# ---- helpers ---------------------------------------------------------------------------------


def _is_code(name: str) -> bool:
    return bool(QUALIFICATION_CODE.fullmatch(name)) and name not in RESERVED


def _folders(root: Path) -> list[Path]:
    return [d for d in root.iterdir() if d.is_dir()] if root.is_dir() else []


def _side_folders(root: Path) -> list[re.Match[str]]:
    found = (_SIDE.fullmatch(d.name) for d in _folders(root))
    return [m for m in found if m and _is_code(m["code"])]


def _texts(folder: Path | None) -> dict[str, tuple[Path, str]]:
    """The content files in a folder, by path within it, with where each is and its text."""
    if folder is None or not folder.is_dir():
        return {}
    paths = [folder / n for n in FOLDER_FILES] + sorted((folder / "units").glob("*.toml"))
    found = {}
    for path in paths:
        if path.is_file():
            try:
                found[path.relative_to(folder).as_posix()] = (path, path.read_text("utf-8"))
            except (OSError, UnicodeDecodeError) as e:
                raise ContentError(path, "", f"cannot be read ({e})") from None
    return found


def _title(top: Path, shipped: Path | None) -> str:
    """The title in the qualification.toml served; ContentError if it cannot be read."""
    for folder in (top, shipped):
        main = folder / "qualification.toml" if folder else None
        if main and main.is_file():
            try:
                text = main.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise ContentError(main, "", f"cannot be read ({e})") from None
            return Reader(main, parse_toml(text, main)).text("title")
    raise ContentError(top / "qualification.toml", "", "file not found")


def _served(served: Mapping[str, tuple[Path, str]], path: str) -> tuple[Path | None, str | None]:
    """Where the file served is and its text; for a unit, whichever file describes the unit."""
    number = UNIT_FILE.fullmatch(path)
    if number is None:
        return served.get(path, (None, None))
    for name, (where, text) in served.items():
        if name.startswith("units/") and _unit_number(text) == number[1]:
            return where, text
    return None, None


def _unit_number(text: str) -> str | None:
    """The number a unit file says it describes, or None if it cannot be read."""
    try:
        number = tomllib.loads(text).get("number")
    except tomllib.TOMLDecodeError:
        return None
    return number.strip() if isinstance(number, str) else None


def _history(folder: Path, path: str) -> Path:
    """Where the versions of a file are kept: versions/units/B1, versions/qualification."""
    return folder / VERSIONS / path.removesuffix(".toml")


def _read_log(folder: Path, path: str) -> list[dict[str, Any]]:
    file = _history(folder, path) / LOG
    try:
        log = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        raise ContentError(file, "", f"cannot be read ({e})") from None
    if not isinstance(log, list):
        raise ContentError(file, "", "must be a list of versions")
    return log


def _statements(q: Qualification | None, path: str) -> list[Statement]:
    """The statements whose wording a file holds: a unit's, or the unit statements."""
    if q is None:
        return []
    if path == "qualification.toml":
        return [u.summary_statement for u in q.units]
    number = UNIT_FILE.fullmatch(path)
    unit = q.unit(number[1]) if number else None
    return list(unit.statements()) if unit else []


def _entry(
    number: int,
    who: str,
    when: datetime | None,
    note: str,
    text: str | None,
    q: Qualification | None,
    path: str,
    restored_from: int | None = None,
) -> dict[str, Any]:
    statements = _statements(q, path)
    return {
        "number": number,
        "who": who,
        "when": _iso(when) if when else None,
        "note": note,
        "sha256": hashlib.sha256(text.encode()).hexdigest() if text is not None else "",
        "statements": [s.id for s in statements],
        "wording": {s.id: [s.kind, s.text] for s in statements},
        "restored_from": restored_from,
    }


def _first_note(where: Path | None, shipped: Path | None, path: str) -> str:
    """What the first version of a file, the one from before any publication, was."""
    if where is None:
        return "no file: the unit had no criteria yet" if path.startswith("units/") else "no file"
    if shipped is not None and where.is_relative_to(shipped):
        return "as shipped"
    return "as it was before versions were kept"


def _version(code: str, path: str, entry: Mapping[str, Any]) -> Version:
    number = UNIT_FILE.fullmatch(path)
    return Version(
        code=code,
        file=path,
        unit=number[1] if number else "",
        number=entry["number"],
        who=entry["who"],
        when=datetime.fromisoformat(entry["when"]) if entry["when"] else None,
        note=entry["note"],
        sha256=entry["sha256"],
        statements=tuple(entry["statements"]),
        restored_from=entry.get("restored_from"),
    )


def _former(top: Path) -> dict[str, Statement]:
    """The statements of every version kept, as last worded (Qualification.retired_statement)."""
    found: dict[str, Statement] = {}
    logs = sorted(top.glob(f"{VERSIONS}/units/*/{LOG}")) + sorted(top.glob(f"{VERSIONS}/*/{LOG}"))
    for log in logs:
        path = log.parent.relative_to(top / VERSIONS).as_posix() + ".toml"
        for entry in _read_log(top, path):
            for sid, (kind, text) in entry.get("wording", {}).items():
                found[sid] = Statement(sid, sid.partition(":")[0], text, kind)
    return found


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _write_new(path: Path, text: str) -> None:
    """A new file with this text, on disk before it returns; never through a shared link."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.unlink(missing_ok=True)  # it may be a hard link to the folder being replaced
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _link_tree(source: Path, target: Path) -> None:
    """Every file of `source` into `target`, hard-linked (copied where links are not possible)."""
    for folder, _, names in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in names:
            try:
                os.link(Path(folder) / name, into / name)
            except OSError:
                shutil.copy2(Path(folder) / name, into / name)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    for folder, _, _ in os.walk(root, topdown=False):
        _sync_dir(Path(folder))


def _swap(staging: Path, top: Path) -> None:
    """Put `staging` in the place of `top`. A crash between the two renames leaves the old folder
    under a side name (.<code>.old-…), which readers use and the next publication puts back."""
    old = None
    if top.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{top.name}.old-", dir=top.parent))
        os.rename(top, old)  # in place of the empty folder just made
    try:
        os.rename(staging, top)
    except BaseException:
        if old is not None:
            os.rename(old, top)
        raise
    _sync_dir(top.parent)
    if old is not None:
        shutil.rmtree(old)
