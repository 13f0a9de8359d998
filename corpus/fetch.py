"""Download pinned packages from PyPI and npm into a local cache, and extract them safely.

The cache layout is::

    <cache>/pypi/<name>-<version>/      extracted wheel (or sdist, its single top folder stripped)
    <cache>/npm/<safe-name>-<version>/  content of the npm tarball's ``package/`` folder
    <cache>/npm/.npm-cache/             private npm cache used by ``npm pack``

``<name>`` for PyPI is the PEP 503 normalized name (lower case, runs of ``-_.`` become ``-``);
``<safe-name>`` for npm turns ``@scope/pkg`` into ``scope__pkg``.  Always use the path returned by
:func:`fetch_pypi` / :func:`fetch_npm` rather than building it by hand.

Each extracted folder holds a ``.typeinfer-fetch.json`` file recording which archive was used.
A second call for the same package finds the folder and returns at once, without network.

Nothing downloaded is ever imported or executed: wheels come from ``pip download`` restricted to
binary distributions, sdists are downloaded as plain files (PyPI JSON API, SHA-256 checked) so
that no ``setup.py`` or build backend runs, and npm tarballs come from ``npm pack --ignore-scripts``.
Extraction rejects absolute paths and ``..`` members and skips links and special files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import ssl
import stat
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

__all__ = [
    "FetchError",
    "cache_dir",
    "fetch_pypi",
    "fetch_npm",
    "safe_extract",
    "pypi_dir_name",
    "npm_dir_name",
]

#: Refuse archives that expand beyond this many bytes (zip-bomb guard).
MAX_EXTRACTED_BYTES = 1 << 30
#: Refuse archives with more members than this.
MAX_MEMBERS = 200_000
#: Seconds allowed for one download command.
DOWNLOAD_TIMEOUT = 600

META_FILE = ".typeinfer-fetch.json"


class FetchError(Exception):
    """A package could not be downloaded or extracted; the message is one line naming the package."""


def cache_dir() -> Path:
    """Return the cache root: ``$TYPEINFER_CACHE`` if set, else ``~/.cache/typeinfer``."""
    env = os.environ.get("TYPEINFER_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "typeinfer"


def pypi_dir_name(name: str, version: str) -> str:
    """Folder name of a PyPI package in the cache (PEP 503 normalized name)."""
    return f"{re.sub(r'[-_.]+', '-', name).lower()}-{version}"


def npm_dir_name(name: str, version: str) -> str:
    """Folder name of an npm package in the cache (``@scope/pkg`` -> ``scope__pkg``)."""
    safe = name.lstrip("@").replace("/", "__")
    return f"{safe}-{version}"


# --------------------------------------------------------------------------------------------
# Safe extraction


def _check_member_name(name: str) -> PurePosixPath:
    """Return the member name as a relative path, or raise ValueError if it escapes the target."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        raise ValueError(f"absolute path in archive: {name!r}")
    parts = [p for p in PurePosixPath(norm).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ValueError(f"'..' in archive member: {name!r}")
    if "\x00" in norm:
        raise ValueError(f"NUL byte in archive member: {name!r}")
    return PurePosixPath(*parts) if parts else PurePosixPath()


def _strip(rel: PurePosixPath, strip: str | None) -> PurePosixPath | None:
    """Drop the leading folder ``strip`` from ``rel``; None if ``rel`` is outside it."""
    if strip is None:
        return rel
    if not rel.parts or rel.parts[0] != strip:
        return None
    return PurePosixPath(*rel.parts[1:]) if len(rel.parts) > 1 else PurePosixPath()


def _write_stream(src, target: Path, budget: list[int]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        while True:
            chunk = src.read(1 << 16)
            if not chunk:
                break
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ValueError("archive expands beyond the size limit")
            out.write(chunk)
    os.chmod(target, 0o644)


def safe_extract(archive: Path, dest: Path, strip: str | None = None) -> int:
    """Extract a ``.zip``/``.whl`` or tar archive into ``dest`` and return the number of files written.

    Members with absolute paths or ``..`` components raise ``ValueError`` (nothing is trusted after
    that: the caller should discard ``dest``).  Symbolic and hard links, devices and FIFOs are
    skipped.  File modes are not kept (files are written 0644).  If ``strip`` is given, only members
    under that top folder are extracted, with the folder removed from their path.
    """
    archive = Path(archive)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    budget = [MAX_EXTRACTED_BYTES]
    written = 0

    def target_for(name: str) -> Path | None:
        rel = _strip(_check_member_name(name), strip)
        if rel is None or not rel.parts:
            return None
        target = (root / Path(*rel.parts)).resolve()
        if target != root and root not in target.parents:
            raise ValueError(f"archive member escapes the target folder: {name!r}")
        return target

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ValueError("too many members in archive")
            for info in infos:
                target = target_for(info.filename)
                if target is None or info.is_dir():
                    continue
                mode = (info.external_attr >> 16) & 0xFFFF
                if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                    continue  # symlink or special file stored in a zip
                with zf.open(info) as src:
                    _write_stream(src, target, budget)
                written += 1
        return written

    try:
        tf = tarfile.open(archive, "r:*")
    except tarfile.TarError as exc:
        raise ValueError(f"not a zip or tar archive: {archive.name}") from exc
    with tf:
        count = 0
        for member in tf:
            count += 1
            if count > MAX_MEMBERS:
                raise ValueError("too many members in archive")
            target = target_for(member.name)
            if target is None or not member.isfile():
                continue  # folders are made on demand; links and special files are skipped
            src = tf.extractfile(member)
            if src is None:
                continue
            with src:
                _write_stream(src, target, budget)
            written += 1
    return written


def _single_top_folder(archive: Path) -> str | None:
    """Name of the one top-level folder of a tar/zip archive, or None if there is not exactly one."""
    entries: list[tuple[str, bool]] = []  # (name, is_dir)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            entries = [(i.filename, i.is_dir()) for i in zf.infolist()]
    else:
        with tarfile.open(archive, "r:*") as tf:
            entries = [(m.name, m.isdir()) for m in tf.getmembers()]
    tops: set[str] = set()
    for name, is_dir in entries:
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts:
            continue
        if len(parts) == 1 and not is_dir:
            return None  # a file at the top level
        tops.add(parts[0])
    return tops.pop() if len(tops) == 1 else None


def _install_atomically(
    label: str, archive: Path, dest: Path, strip: str | None, meta: dict
) -> Path:
    """Extract ``archive`` into a temp folder beside ``dest`` and rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{dest.name}-", dir=dest.parent))
    try:
        try:
            n = safe_extract(archive, tmp, strip=strip)
        except (ValueError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise FetchError(f"{label}: unsafe or broken archive {archive.name}: {exc}") from exc
        if n == 0:
            raise FetchError(f"{label}: archive {archive.name} holds no files")
        meta = dict(meta, files=n)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
        try:
            os.rename(tmp, dest)
        except OSError:
            if (dest / META_FILE).exists():  # another process won the race
                shutil.rmtree(tmp, ignore_errors=True)
                return dest
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _run(cmd: list[str], label: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise FetchError(f"{label}: download timed out after {DOWNLOAD_TIMEOUT}s") from exc
    except OSError as exc:
        raise FetchError(f"{label}: cannot run {cmd[0]}: {exc}") from exc


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"


# --------------------------------------------------------------------------------------------
# PyPI


def _pip_download(spec: str, where: Path, label: str, pure: bool) -> tuple[Path | None, str]:
    """Run ``pip download`` for a binary distribution only; return (file, error text)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "-d", str(where)]
    if pure:
        cmd += ["--platform", "any", "--implementation", "py", "--abi", "none",
                "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}"]
    cmd.append(spec)
    env = dict(os.environ)
    # A machine-wide constraints file would clash with an exact pin; pins here are exact already.
    env["PIP_CONSTRAINT"] = ""
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    proc = _run(cmd, label, env)
    files = [p for p in where.iterdir() if p.is_file()]
    if proc.returncode == 0 and files:
        return files[0], ""
    for p in files:
        p.unlink()
    return None, _last_line(proc.stderr or proc.stdout)


def ssl_context() -> ssl.SSLContext:
    """The TLS context for registry downloads: the CA file named by ``PIP_CERT`` / ``SSL_CERT_FILE``
    when it exists, else the system's default trust store."""
    cafile = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    if cafile and os.path.exists(cafile):
        return ssl.create_default_context(cafile=cafile)
    return ssl.create_default_context()


def normalize_name(name: str) -> str:
    """A PyPI project name in its normalized form (PEP 503: ``Foo_Bar.baz`` -> ``foo-bar-baz``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pypi_sdist(name: str, version: str, where: Path, label: str) -> tuple[Path | None, str]:
    """Download the sdist of ``name==version`` as a plain file (no build step runs).

    The file is found through PyPI's simple index (JSON form, PEP 691) and its SHA-256 is checked.
    """
    norm = normalize_name(name)
    req = urllib.request.Request(
        f"https://pypi.org/simple/{norm}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60, context=ssl_context()) as resp:
            info = json.load(resp)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"PyPI index lookup failed: {exc}"
    sdists = []
    for f in info.get("files", []):
        fname = f.get("filename", "")
        for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
            if fname.endswith(ext):
                stem = fname[: -len(ext)]
                if "-" in stem and stem.rsplit("-", 1)[1] == version and not f.get("yanked"):
                    sdists.append((ext != ".tar.gz", fname, f))
                break
    if not sdists:
        return None, "no sdist on PyPI"
    sdists.sort(key=lambda t: (t[0], t[1]))
    _, fname, entry = sdists[0]
    fname = os.path.basename(fname)
    target = where / fname
    try:
        with urllib.request.urlopen(entry["url"], timeout=DOWNLOAD_TIMEOUT, context=ssl_context()) as resp, \
                open(target, "wb") as out:
            shutil.copyfileobj(resp, out, 1 << 20)
    except (urllib.error.URLError, OSError) as exc:
        target.unlink(missing_ok=True)
        return None, f"sdist download failed: {exc}"
    want = entry.get("hashes", {}).get("sha256")
    if want and _sha256(target) != want:
        target.unlink(missing_ok=True)
        return None, "sdist SHA-256 mismatch"
    return target, ""


def fetch_pypi(name: str, version: str, cache: Path | None = None) -> Path:
    """Download ``name==version`` from PyPI and return the folder it was extracted into.

    Preference order: a pure wheel (``py3-none-any``) via ``pip download``; else the sdist,
    downloaded as a file without running any build step (its single top folder is stripped);
    else a platform wheel for this interpreter via ``pip download``.  The result lives in
    ``<cache>/pypi/<normalized-name>-<version>/``; a second call is a cache hit with no network.
    Raises :class:`FetchError` when nothing could be downloaded or the archive is unsafe.
    """
    label = f"pypi:{name}=={version}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or not re.fullmatch(r"[A-Za-z0-9.+!_-]+", version):
        raise FetchError(f"{label}: invalid package name or version")
    root = Path(cache) if cache is not None else cache_dir()
    dest = root / "pypi" / pypi_dir_name(name, version)
    if (dest / META_FILE).exists():
        return dest
    (root / "pypi").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dl-", dir=root / "pypi") as tmpd:
        where = Path(tmpd)
        errors: list[str] = []
        archive, err = _pip_download(f"{name}=={version}", where, label, pure=True)
        kind = "wheel"
        if archive is None:
            errors.append(f"pure wheel: {err}")
            archive, err = _pypi_sdist(name, version, where, label)
            kind = "sdist"
        if archive is None:
            errors.append(f"sdist: {err}")
            archive, err = _pip_download(f"{name}=={version}", where, label, pure=False)
            kind = "wheel"
        if archive is None:
            errors.append(f"platform wheel: {err}")
            raise FetchError(f"{label}: download failed ({'; '.join(errors)})")
        strip = None
        if kind == "sdist":
            try:
                strip = _single_top_folder(archive)
            except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
                raise FetchError(f"{label}: broken sdist {archive.name}: {exc}") from exc
        meta = {"registry": "pypi", "name": name, "version": version, "kind": kind,
                "archive": archive.name, "sha256": _sha256(archive)}
        return _install_atomically(label, archive, dest, strip, meta)


# --------------------------------------------------------------------------------------------
# npm

_NPM_NAME = re.compile(r"(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*", re.I)


def _npm_error(proc: subprocess.CompletedProcess) -> str:
    """One line out of a failed ``npm pack --json`` run."""
    try:
        err = json.loads(proc.stdout).get("error", {})
        msg = " ".join(str(err.get(k, "")) for k in ("code", "summary")).strip()
        if msg:
            return _last_line(msg)
    except (ValueError, AttributeError):
        pass
    return _last_line(proc.stderr or proc.stdout)


def fetch_npm(name: str, version: str, cache: Path | None = None) -> Path:
    """Download ``name@version`` from npm and return the folder holding the tarball's ``package/`` content.

    Uses ``npm pack --ignore-scripts`` with a private npm cache under ``<cache>/npm/.npm-cache``.
    The result lives in ``<cache>/npm/<safe-name>-<version>/``; a second call is a cache hit.
    Raises :class:`FetchError` when the download fails or the tarball is unsafe.
    """
    label = f"npm:{name}@{version}"
    if not _NPM_NAME.fullmatch(name) or not re.fullmatch(r"[A-Za-z0-9.+_-]+", version):
        raise FetchError(f"{label}: invalid package name or version")
    root = Path(cache) if cache is not None else cache_dir()
    dest = root / "npm" / npm_dir_name(name, version)
    if (dest / META_FILE).exists():
        return dest
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(f"{label}: npm is not installed")
    (root / "npm").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dl-", dir=root / "npm") as tmpd:
        where = Path(tmpd)
        cmd = [npm, "pack", f"{name}@{version}", "--pack-destination", str(where),
               "--ignore-scripts", "--cache", str(root / "npm" / ".npm-cache"),
               "--silent", "--no-audit", "--no-fund", "--json"]
        proc = _run(cmd, label)
        tarballs = [p for p in where.iterdir() if p.is_file() and p.name.endswith(".tgz")]
        if proc.returncode != 0 or not tarballs:
            raise FetchError(f"{label}: npm pack failed: {_npm_error(proc)}")
        archive = tarballs[0]
        try:
            strip = _single_top_folder(archive)
        except (OSError, tarfile.TarError) as exc:
            raise FetchError(f"{label}: broken tarball {archive.name}: {exc}") from exc
        meta = {"registry": "npm", "name": name, "version": version, "kind": "tarball",
                "archive": archive.name, "sha256": _sha256(archive)}
        return _install_atomically(label, archive, dest, strip or "package", meta)
