"""Tests of typeinfer.corpus.fetch: safe extraction offline, real downloads with the network mark."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from typeinfer.corpus import fetch
from typeinfer.corpus.fetch import FetchError, fetch_npm, fetch_pypi, safe_extract


def _tar(path: Path, members: list[tuple[str, bytes | None, str]]) -> Path:
    """Write a .tgz; each member is (name, data, kind) with kind 'file', 'dir', 'symlink' or 'hardlink'."""
    with tarfile.open(path, "w:gz") as tf:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data or b"")
                tf.addfile(info, io.BytesIO(data or b""))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = (data or b"").decode()
                tf.addfile(info)
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = (data or b"").decode()
                tf.addfile(info)
    return path


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TYPEINFER_CACHE", str(tmp_path / "c"))
    assert fetch.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("TYPEINFER_CACHE")
    assert fetch.cache_dir() == Path.home() / ".cache" / "typeinfer"


def test_dir_names():
    assert fetch.pypi_dir_name("Typing_Extensions", "4.12.2") == "typing-extensions-4.12.2"
    assert fetch.npm_dir_name("@reduxjs/toolkit", "2.2.7") == "reduxjs__toolkit-2.2.7"
    assert fetch.npm_dir_name("mobx", "6.13.1") == "mobx-6.13.1"


def test_safe_extract_tar_ok_and_strip(tmp_path):
    arc = _tar(tmp_path / "ok.tgz", [
        ("package/", None, "dir"),
        ("package/index.ts", b"export const a: number = 1;\n", "file"),
        ("package/src/b.ts", b"export {};\n", "file"),
        ("package/link", b"/etc/passwd", "symlink"),
        ("package/hard", b"package/index.ts", "hardlink"),
    ])
    out = tmp_path / "out"
    n = safe_extract(arc, out, strip="package")
    assert n == 2
    assert (out / "index.ts").read_text().startswith("export const")
    assert (out / "src" / "b.ts").exists()
    assert not (out / "link").exists() and not (out / "link").is_symlink()
    assert not (out / "hard").exists()


@pytest.mark.parametrize("bad", ["../evil.py", "/abs/evil.py", "pkg/../../evil.py", "C:/evil.py"])
def test_safe_extract_tar_rejects_escape(tmp_path, bad):
    arc = _tar(tmp_path / "bad.tgz", [("pkg/ok.py", b"x = 1\n", "file"), (bad, b"boom\n", "file")])
    with pytest.raises(ValueError):
        safe_extract(arc, tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()
    assert not Path("/abs/evil.py").exists()


def test_safe_extract_zip_rejects_escape_and_skips_symlink(tmp_path):
    arc = tmp_path / "w.whl"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("pkg/__init__.py", "def f(x: int) -> int: return x\n")
        link = zipfile.ZipInfo("pkg/link.py")
        link.external_attr = (0o120777 << 16)  # symlink mode
        zf.writestr(link, "/etc/passwd")
    out = tmp_path / "out"
    assert safe_extract(arc, out) == 1
    assert (out / "pkg" / "__init__.py").exists()
    assert not (out / "pkg" / "link.py").exists()

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../../escape.py", "x = 1\n")
    with pytest.raises(ValueError):
        safe_extract(bad, tmp_path / "out2")
    assert not (tmp_path / "escape.py").exists()


def test_install_atomically_cleans_up_on_unsafe_archive(tmp_path):
    arc = _tar(tmp_path / "bad.tgz", [("../evil", b"x", "file")])
    dest = tmp_path / "cache" / "npm" / "evil-1.0.0"
    with pytest.raises(FetchError) as ei:
        fetch._install_atomically("npm:evil@1.0.0", arc, dest, None, {})
    assert "npm:evil@1.0.0" in str(ei.value) and "\n" not in str(ei.value)
    assert not dest.exists()
    assert list((tmp_path / "cache" / "npm").iterdir()) == []


def test_invalid_names_raise_fetch_error(tmp_path):
    with pytest.raises(FetchError, match="pypi:../x"):
        fetch_pypi("../x", "1.0", cache=tmp_path)
    with pytest.raises(FetchError, match="npm:a b"):
        fetch_npm("a b", "1.0.0", cache=tmp_path)


def test_cache_hit_needs_no_network(tmp_path, monkeypatch):
    dest = tmp_path / "pypi" / "some-pkg-1.0"
    dest.mkdir(parents=True)
    (dest / fetch.META_FILE).write_text("{}")

    def boom(*a, **k):  # any download attempt fails the test
        raise AssertionError("network used on a cache hit")

    monkeypatch.setattr(fetch, "_run", boom)
    assert fetch_pypi("Some_Pkg", "1.0", cache=tmp_path) == dest


@pytest.mark.network
def test_fetch_pypi_real(tmp_path, monkeypatch):
    path = fetch_pypi("six", "1.16.0", cache=tmp_path)
    assert path == tmp_path / "pypi" / "six-1.16.0"
    assert (path / "six.py").is_file()
    meta = json.loads((path / fetch.META_FILE).read_text())
    assert meta["kind"] == "wheel" and meta["archive"].endswith("py2.py3-none-any.whl")
    # second call: a cache hit with no network
    monkeypatch.setattr(fetch, "_run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("network")))
    assert fetch_pypi("six", "1.16.0", cache=tmp_path) == path


@pytest.mark.network
def test_fetch_pypi_sdist_only(tmp_path):
    path = fetch_pypi("docopt", "0.6.2", cache=tmp_path)
    assert (path / "docopt.py").is_file()  # top folder docopt-0.6.2/ stripped
    assert json.loads((path / fetch.META_FILE).read_text())["kind"] == "sdist"


@pytest.mark.network
def test_fetch_npm_real(tmp_path, monkeypatch):
    path = fetch_npm("is-number", "7.0.0", cache=tmp_path)
    assert path == tmp_path / "npm" / "is-number-7.0.0"
    pkg = json.loads((path / "package.json").read_text())
    assert pkg["name"] == "is-number" and pkg["version"] == "7.0.0"
    assert (path / "index.js").is_file()
    monkeypatch.setattr(fetch, "_run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("network")))
    assert fetch_npm("is-number", "7.0.0", cache=tmp_path) == path


@pytest.mark.network
def test_fetch_missing_version_raises(tmp_path):
    with pytest.raises(FetchError, match="is-number@99.99.99"):
        fetch_npm("is-number", "99.99.99", cache=tmp_path)
