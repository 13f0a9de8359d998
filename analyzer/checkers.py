"""The type checkers `annotate --verify` runs (issue 25): finding or installing them, and checking
a copy of the project again and again while annotations come and go.

Checkers
========

Python: basedpyright (or pyright) from the environment the user names (``--python``, else an
active ``$VIRTUAL_ENV``), else from typeinfer's own environment (the pinned ``basedpyright`` of the
``verify`` extra, a PyPI wheel with its own Node.js: nothing is downloaded at run time), else on
``PATH``; none: `CheckerUnavailable`.  A ``.venv`` found in the analysed tree is read for types
but its programs are never run: they are part of the code under analysis.
TypeScript: the user's ``tsc`` on ``PATH`` (TypeScript 5 or later), else typeinfer's pinned tsc
(`PINNED`) in the typeinfer cache (``$TYPEINFER_CACHE`` or ``~/.cache/typeinfer``, under
``tools/<name>-<version>``), run with the ``node`` on ``PATH``.  The pinned copy is installed from
npm (with ``--ignore-scripts``) only when asked: ``annotate --verify --fetch-checkers``
(`fetch_checkers`), never as a side effect of a check.  TypeScript 7.x is the native compiler:
``tsc --noEmit`` is all we need, and it checks a project several times faster than 5.x.
TypeScript 7 has removed ``moduleResolution: "node"`` (node10), so the generated tsconfig uses
``"bundler"`` (extensionless relative imports resolve as before).

Sessions
========

A `CheckSession` (`open_session`) holds a temporary copy of the project's files of one language
(`cpg.project.discover`: same exclusions as the graph build) and its top-level config files,
with a generated checker config beside them, never the project's own (``pyrightconfig.json``:
basic mode, missing imports not reported; ``tsconfig.typeinfer-verify.json``: not strict,
``types: []``, lib check skipped), since third-party packages are not installed there and a
project config may name options the pinned checker rejects.  `CheckSession.check(files)` gives
the errors of the whole copy once `files` hold the given bytes.  A checker with a language
server (basedpyright, pyright) is asked through it (`checker_server.CheckerServer`): every file
is opened once and a check re-analyses only what changed and what imports it.  Otherwise, or
when the server fails, each check runs the checker's command line on the copy.

API
===

``find_checker(language, python, root) -> Checker``   the checker's command lines and name/version.
``ensure_checker(name) -> list[str]``          a pinned npm checker's ``[node, script]``, installed once.
``fetch_checkers(root, languages)``            installs the pinned npm checkers of those that have none.
``open_session(root, language) -> CheckSession``    a checked copy of `root`; ``.baseline``: its errors.
``start_sessions(root, languages)``                 those begun in the background;
``close_sessions(sessions)``                        ends them, started or not.
``check_tree(root, language) -> list[Diagnostic]``  the checker's errors on a tree as it is.
Errors are `VerifyError` (its subclass `CheckerUnavailable` when the checker cannot be installed
or started), one line each.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from typeinfer.cpg.project import BuildOptions, default_cache_dir, discover

from .checker_server import CheckerServer, CheckerServerError
from .environment import find_environment
from .languages import adapter_for
from .languages.typescript import TSCONFIG_NAME

#: npm checker package -> (pinned version, script inside the install prefix).  Bump together
#: with a run of tests/test_verify.py: messages and rule names change between versions.
PINNED: dict[str, tuple[str, str]] = {
    "typescript": ("7.0.2", "node_modules/typescript/bin/tsc"),
}
#: an npm checker's command the user may have on PATH, and the oldest major version it may be
#: (TypeScript 5 is the first with the ``"bundler"`` module resolution of the generated config)
USER_EXECUTABLES: dict[str, tuple[str, int]] = {"typescript": ("tsc", 5)}
CHECK_TIMEOUT_S = 600  #: one check
INSTALL_TIMEOUT_S = 300  #: one npm install
#: copied next to the sources (the checker itself runs with our generated config)
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "pyrightconfig.json", "tsconfig.json", "package.json")
TS_IGNORED_CODES = frozenset({"TS2307", "TS2792", "TS7016"})  #: cannot find module / its declarations
_TSC_LINE = re.compile(r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class Checker:
    """A type checker to run: its command line and what it says it is ("basedpyright 1.40.2")."""

    cmd: tuple[str, ...]
    label: str
    #: its language server's command line (``basedpyright-langserver --stdio``), () when it has none
    server: tuple[str, ...] = ()


class VerifyError(Exception):
    """Verification cannot run (the checker failed or gave output we cannot read); one line."""


class CheckerUnavailable(VerifyError):
    """The checker cannot be found, installed or started (none installed, no node, no network)."""


@dataclass(frozen=True)
class Diagnostic:
    """One checker error; ``line``/``column`` 1-based, ``file`` relative to the project root."""

    file: str
    line: int
    column: int
    code: str  #: pyright rule ("reportOperatorIssue", "" when none) or "TS2339"
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "message": self.message}

    def short(self) -> str:
        first = self.message.splitlines()[0] if self.message else ""
        return f"{self.file}:{self.line}: {self.code + ': ' if self.code else ''}{first}"



# --------------------------------------------------------------------------------------------
# Installing and running the checkers
# --------------------------------------------------------------------------------------------


def find_checker(language: str, python: Path | None = None, root: Path | None = None) -> Checker:
    """The checker `--verify` runs for `language`, `python` the environment given with
    ``--python`` (see "Checkers"); `root`: the analysed tree, whose programs are never run (a
    ``PATH`` folder inside it, ``node_modules/.bin`` put there by ``npm run``, is passed over)."""
    adapter = adapter_for(checked_language(language))
    if not adapter.checker_executables:
        return _npm_checker(adapter.checker, root)
    for folder in _checker_folders(python, root):
        for name in adapter.checker_executables:
            exe = _executable(folder, name)
            if exe is not None:
                server = _executable(folder, name + adapter.checker_server_suffix) \
                    if adapter.checker_server_suffix else None
                return Checker((exe,), _version_label(exe), (server, "--stdio") if server else ())
    raise CheckerUnavailable(f"no {' or '.join(adapter.checker_executables)} found in the environment given with "
                             f"--python, typeinfer's or on PATH (pip install 'typeinfer[verify]')")


def _npm_checker(name: str, root: Path | None = None) -> Checker:
    """An npm checker (tsc): the user's on PATH, when recent enough, else typeinfer's pinned copy
    if it was installed (`ensure_checker`, ``annotate --fetch-checkers``); never installed here:
    no network unless asked."""
    version, _ = PINNED[name]
    exe, oldest = USER_EXECUTABLES[name]
    found = next((e for folder in _path_folders(root) if (e := _executable(folder, exe))), None)
    label = ""
    if found is not None:
        with contextlib.suppress(CheckerUnavailable):
            label = _version_label(found)
        match = re.search(r"(\d+)\.\d+(\.\d+)?", label)  # "Version 5.4.5"
        if match is not None and int(match.group(1)) >= oldest:
            return Checker((found,), f"{exe} {match.group(0)}")
    pinned = installed_checker(name)
    if pinned is not None:
        return Checker(tuple(pinned), f"{name} {version}")
    seen = (f"the {exe} on PATH is {label}, older than {oldest}" if label else f"the {exe} on PATH does not start") \
        if found else f"no {exe} on PATH"
    raise CheckerUnavailable(f"no {name} checker: {seen}, and typeinfer's pinned {name}@{version} is not "
                             f"installed (install {name} >= {oldest}, or add --fetch-checkers to install the "
                             f"pinned one from npm)")


def installed_checker(name: str, cache: Path | None = None) -> list[str] | None:
    """``[node, script]`` of the pinned npm checker `name` if `ensure_checker` installed it, else None."""
    version, script = PINNED[name]
    node = shutil.which("node")
    target = (cache or default_cache_dir()) / "tools" / f"{name}-{version}" / script
    return [node, str(target)] if node is not None and target.is_file() else None


def fetch_checkers(root: Path, languages: Iterable[str]) -> None:
    """Install the pinned npm checker of each of `languages` that `root` has files of and that has
    no checker (``annotate --verify --fetch-checkers``: the one use of the network, and only when
    asked)."""
    for language in languages:
        adapter = adapter_for(checked_language(language))
        if adapter.checker_executables or not discover(Path(root), BuildOptions(languages=(language,))).files:
            continue
        try:
            _npm_checker(adapter.checker, root)
        except CheckerUnavailable:
            ensure_checker(adapter.checker)


def _path_folders(root: Path | None) -> list[Path]:
    """``PATH``'s absolute folders, but none inside the analysed tree `root` (a relative one, or
    the tree's own ``node_modules/.bin``, holds programs of the code under analysis)."""
    inside = None
    if root is not None:
        inside = Path(root).resolve()
        inside = inside.parent if inside.is_file() else inside  # one file: the folder it is in
    folders = []
    for p in os.get_exec_path():
        if not p or not Path(p).is_absolute():
            continue
        folder = Path(p)
        if inside is not None and folder.resolve().is_relative_to(inside):
            continue
        folders.append(folder)
    return folders


def _checker_folders(python: Path | None, root: Path | None = None) -> list[Path]:
    """Where checker executables are looked for, in order: the environment the user named
    (``--python``, else an active ``$VIRTUAL_ENV``), typeinfer's own, then ``PATH``'s absolute
    folders.  Never an environment found inside or above the analysed tree: a program from
    there is part of the code under analysis, which is never run."""
    folders = []
    env = find_environment(None, python)
    if env is not None:
        folders += [env / "bin", env / "Scripts"]
    folders.append(Path(sys.executable).parent)
    folders += _path_folders(root)
    return folders


def _executable(folder: Path, name: str) -> str | None:
    for candidate in (folder / name, folder / f"{name}.exe", folder / f"{name}.cmd"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


@functools.cache
def _version_label(exe: str) -> str:
    """The first line of ``exe --version`` ("basedpyright 1.40.2"); raises when it does not start."""
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckerUnavailable(f"cannot start {exe}: {exc}") from None
    if proc.returncode != 0:
        raise CheckerUnavailable(f"{exe} --version failed: {_last_line(proc.stderr or proc.stdout)}")
    return _last_line(proc.stdout.splitlines()[0] if proc.stdout.strip() else exe)


def ensure_checker(name: str, cache: Path | None = None) -> list[str]:
    """``[node, script]`` for `name` ("typescript"), installed from npm unless it is already
    (`fetch_checkers`, the benchmarks and tests call it; `find_checker` never does).

    The package goes to a staging folder that is renamed into place once it works, so an
    interrupted or concurrent install never leaves a half-installed checker behind.
    """
    if name not in PINNED:
        raise VerifyError(f"unknown checker {name!r} (choose from {', '.join(PINNED)})")
    version, script = PINNED[name]
    installed = installed_checker(name, cache)
    if installed is not None:
        return installed
    node = shutil.which("node")
    if node is None:
        raise CheckerUnavailable(f"cannot run {name}: node is not on PATH")
    tools = (cache or default_cache_dir()) / "tools"
    target = tools / f"{name}-{version}"
    npm = shutil.which("npm")
    if npm is None:
        raise CheckerUnavailable(f"cannot install {name}@{version}: npm is not on PATH")
    try:
        tools.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-{version}.", dir=tools))
    except OSError as exc:
        raise CheckerUnavailable(f"cannot install {name}@{version}: {exc.strerror or exc} ({tools})") from None
    try:
        cmd = [npm, "install", "--prefix", str(staging), f"{name}@{version}", "--no-audit", "--no-fund",
               "--ignore-scripts", "--fetch-retries=1", "--fetch-retry-mintimeout=2000",
               "--fetch-retry-maxtimeout=10000", "--loglevel=error"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise CheckerUnavailable(f"cannot install {name}@{version} from npm: no answer within "
                                     f"{INSTALL_TIMEOUT_S} s (offline?)") from None
        except OSError as exc:
            raise CheckerUnavailable(f"cannot install {name}@{version}: cannot run npm ({exc.strerror or exc})") from None
        if proc.returncode != 0 or not (staging / script).is_file():
            raise CheckerUnavailable(f"cannot install {name}@{version} from npm: {_npm_error(proc.stderr)}")
        try:
            probe = subprocess.run([node, str(staging / script), "--version"], capture_output=True, text=True,
                                   timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            raise CheckerUnavailable(f"{name}@{version} installed but does not start") from None
        if probe.returncode != 0:  # e.g. no native tsc binary for this platform
            raise CheckerUnavailable(f"{name}@{version} installed but does not start: {_last_line(probe.stderr)}")
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / script).is_file():  # another process won the race: use its copy
                raise CheckerUnavailable(f"cannot move {name}@{version} into {target}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [node, str(target / script)]


def _npm_error(stderr: str) -> str:
    """The telling line of npm's error output ("FetchError: request to ... failed, ...")."""
    lines = [re.sub(r"^npm (error|ERR!)\s*", "", ln).strip() for ln in (stderr or "").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("A complete log", "at ", "{", "}"))]
    for pattern in (r"^\w*Error: ", r"^code E", r"^404 "):
        hit = next((ln for ln in lines if re.match(pattern, ln)), None)
        if hit is not None:
            return hit
    return lines[0] if lines else "no message"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def run_checker(cmd: list[str], language: str, workdir: Path) -> list[Diagnostic]:
    """The errors the checker reports for the project copied to `workdir` (config already there)."""
    adapter = adapter_for(language)
    args = cmd + [str(workdir) if a == "{workdir}" else a for a in adapter.checker_args]
    try:
        proc = subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S,
                              env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        raise VerifyError(f"the type checker ran longer than {CHECK_TIMEOUT_S} s") from None
    except OSError as exc:
        raise CheckerUnavailable(f"cannot start the type checker: {exc.strerror or exc}") from None
    return PARSERS[adapter.checker_output](proc, workdir)


def _relative(file: str, workdir: Path) -> str:
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix()
    for base in (workdir, Path(os.path.realpath(workdir))):
        try:
            return Path(os.path.realpath(path)).relative_to(os.path.realpath(base)).as_posix()
        except ValueError:
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
    return path.as_posix()


def _pyright_errors(proc: subprocess.CompletedProcess[str], workdir: Path) -> list[Diagnostic]:
    if proc.returncode not in (0, 1):
        raise VerifyError(f"pyright failed (exit {proc.returncode}): {_last_line(proc.stderr or proc.stdout)}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise VerifyError(f"pyright printed no JSON report: {_last_line(proc.stderr or proc.stdout)}") from None
    out = []
    for d in report.get("generalDiagnostics", []):
        if d.get("severity") != "error":
            continue
        start = d.get("range", {}).get("start", {})
        out.append(Diagnostic(_relative(d.get("file", ""), workdir), int(start.get("line", 0)) + 1,
                              int(start.get("character", 0)) + 1, d.get("rule", ""), d.get("message", "")))
    return out


def _tsc_errors(proc: subprocess.CompletedProcess[str], workdir: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    current: dict[str, Any] | None = None
    global_errors = []

    def flush() -> None:
        if current is not None and current["code"] not in TS_IGNORED_CODES:
            out.append(Diagnostic(_relative(current["file"], workdir), current["line"], current["col"],
                                  current["code"], "\n".join(current["msg"])))

    for line in proc.stdout.splitlines():
        m = _TSC_LINE.match(line)
        if m:
            flush()
            current = {"file": m["file"], "line": int(m["line"]), "col": int(m["col"]), "code": m["code"],
                       "msg": [m["msg"]]}
        elif line.startswith((" ", "\t")) and current is not None:
            current["msg"].append(line.strip())  # continuation of a chained message
        elif line.startswith("error TS") or (line.strip() and current is None):
            global_errors.append(line.strip())
    flush()
    if proc.returncode not in (0, 1, 2) or global_errors or any(d.file == TSCONFIG_NAME for d in out):
        detail = global_errors[0] if global_errors else next(
            (d.message for d in out if d.file == TSCONFIG_NAME), _last_line(proc.stderr))
        raise VerifyError(f"tsc failed (exit {proc.returncode}): {detail}")
    return out


#: the adapters' `checker_output` -> the reader of that output
PARSERS = {"pyright-json": _pyright_errors, "tsc-text": _tsc_errors}


def check_tree(root: Path, language: str, checker: Checker | None = None,
               python: Path | None = None) -> list[Diagnostic]:
    """The errors the checker (`find_checker`) reports on the `language` files of `root` as they
    are, under the generated config `verify` uses (a copy is checked; `root` is not touched)."""
    lang = checked_language(language)
    cmd = list((checker or find_checker(lang, python, root)).cmd)
    with tempfile.TemporaryDirectory(prefix="typeinfer-check-") as tmp:
        work = Path(tmp)
        _prepare_copy(Path(root), lang, work)
        return run_checker(cmd, lang, work)


def checked_language(language: str) -> str:
    """The adapter name of `language` as the CLI spells it ("py" -> "python")."""
    return "python" if language in ("python", "py") else "typescript"


def _prepare_copy(root: Path, language: str, work: Path) -> dict[str, bytes]:
    """`root`'s files of `language` (and its top-level configs) copied to `work`, with the
    checker's generated config beside them; the copied sources by path relative to `work`."""
    files = _copy_project(root, root.parent if root.is_file() else root, language, work)
    config_name, config = adapter_for(language).checker_config
    (work / config_name).write_text(json.dumps(config), encoding="utf-8")
    return files


# --------------------------------------------------------------------------------------------
# Sessions: one copy, checked again and again
# --------------------------------------------------------------------------------------------


class CheckSession:
    """A checked copy of one language's files of a project (see "Sessions").  `baseline`: the
    errors of the copy as first checked.  Close it (or use it as a context manager) to stop the
    checker's server and remove the copy."""

    def __init__(self, checker: Checker, language: str, work: Path, files: dict[str, bytes]) -> None:
        self.checker = checker
        self.language = language
        self.work = work
        self._files = files
        self._server: CheckerServer | None = None
        self.baseline: list[Diagnostic] = []

    def start(self) -> None:
        """Start the checker's server, when it has one, and check the copy as it is (`baseline`)."""
        if self.checker.server:
            try:
                self._server = CheckerServer(list(self.checker.server), self.work, self.language, CHECK_TIMEOUT_S)
            except CheckerServerError:
                self._server = None  # the command line does the checks
        self.baseline = self._check(dict(self._files) if self._server is not None else {})

    def check(self, files: Mapping[str, bytes]) -> list[Diagnostic]:
        """The errors of the whole copy once each of `files` (path relative to the project root ->
        bytes) holds the given bytes."""
        changed = {rel: data for rel, data in files.items() if self._files.get(rel) != data}
        for rel, data in changed.items():
            _write(self.work / rel, data)
            self._files[rel] = data
        return self._check(changed)

    @property
    def incremental(self) -> bool:
        """Whether checks go through the checker's language server (else its command line)."""
        return self._server is not None

    def text(self, rel: str) -> bytes | None:
        """The bytes the copy holds for `rel`, None when it has no such file."""
        return self._files.get(rel)

    def _check(self, changed: dict[str, bytes]) -> list[Diagnostic]:
        if self._server is not None:
            try:
                found = self._server.errors({rel: data.decode("utf-8", "replace") for rel, data in changed.items()})
            except CheckerServerError:
                self._server.close()
                self._server = None  # from now on the command line, which reads the copy on disk
            else:
                return [Diagnostic(rel, line + 1, column + 1, code, message)
                        for rel, errors in sorted(found.items()) for line, column, code, message in errors]
        return run_checker(list(self.checker.cmd), self.language, self.work)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> CheckSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_session(root: Path, language: str, checker: Checker | None = None,
                 python: Path | None = None) -> CheckSession:
    """A `CheckSession` on a fresh copy of `root`'s `language` files, its baseline checked.
    `checker` overrides `find_checker(language, python)`."""
    lang = checked_language(language)
    found = checker or find_checker(lang, python, root)
    work = Path(tempfile.mkdtemp(prefix="typeinfer-verify-"))
    try:
        session = CheckSession(found, lang, work, _prepare_copy(Path(root), lang, work))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        session.start()
    except BaseException:
        session.close()
        raise
    return session


def start_sessions(root: Path, languages: Iterable[str], python: Path | None = None,
                   into: dict[str, Future[CheckSession]] | None = None) -> dict[str, Future[CheckSession]]:
    """`open_session` for each of `languages` that `root` has files of, begun now in a background
    thread: `annotate --verify` starts them before inferring, so the baseline checks (separate
    processes) and the inference share the machine's cores instead of running one after the other.
    Added to `into` (and returned) as they start, so `close_sessions(into)` ends every one begun
    even when a later one fails to start."""
    out = into if into is not None else {}
    for language in languages:
        if discover(Path(root), BuildOptions(languages=(language,))).files:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typeinfer-baseline")
            out[language] = pool.submit(open_session, Path(root), language, None, python)
            pool.shutdown(wait=False)
    return out


def close_sessions(sessions: Mapping[str, Future[CheckSession]]) -> None:
    """Close the sessions of `start_sessions` (waiting for those still starting; each is closed
    even when closing another is interrupted)."""
    futures = list(sessions.values())
    try:
        while futures:
            try:
                futures[-1].result().close()
            except Exception:  # noqa: BLE001 - one that failed to start left nothing to close
                pass
            futures.pop()  # only once closed: an interrupted wait leaves it to the callback below
    finally:
        for future in futures:  # interrupted (Ctrl-C): the rest are closed once they have started
            future.add_done_callback(_close_started)


def _close_started(future: Future[CheckSession]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_project(root: Path, base: Path, language: str, work: Path) -> dict[str, bytes]:
    files = {}
    for path, _ in discover(root, BuildOptions(languages=(language,))).files:
        try:
            rel = Path(path).resolve().relative_to(base.resolve()).as_posix()
            data = path.read_bytes()
            _write(work / rel, data)
        except (OSError, ValueError):
            continue  # unreadable or outside the project: the checker treats its imports as missing
        files[rel] = data
    for name in CONFIG_FILES:
        try:
            if (base / name).is_file():
                shutil.copyfile(base / name, work / name)
        except OSError:
            continue
    return files
