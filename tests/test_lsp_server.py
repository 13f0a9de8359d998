"""End to end: a real LSP client (pytest-lsp) drives `python -m typeinfer.lsp` in a subprocess.

One session walks what an editor does: initialize (with progress), open, inlay hints, hover, code
actions (the edit applied, parsed, checked), edits that move and then update hints, a burst of
1,000 changes, untitled and out-of-workspace documents, bad requests, cancellation, diagnostics,
shutdown/exit.  Static facts only (no model needed): the server says so once.
"""

from __future__ import annotations

import ast
import re
import asyncio
import inspect
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from typeinfer.lsp.edits import apply_text_edits
from typeinfer.typemodel.model_files import default_model_dir

pytestmark = pytest.mark.slow

MODELS = "class User:\n    def __init__(self, name):\n        self.name = name\n"
APP = '''import re
from shop.models import User


def make(name):
    return User(name)


def count(text):
    n = len(text)
    return n


def größe(x):
    ä = "🎉🎉"; ö = 4
    k: str = 5
    return ä
'''
WORKSPACE = Path(tempfile.mkdtemp(prefix="typeinfer-lsp-test-"))
CACHE = Path(tempfile.mkdtemp(prefix="typeinfer-lsp-cache-"))


def _write_workspace() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)  # a session's teardown removes both
    (WORKSPACE / "shop").mkdir(parents=True, exist_ok=True)
    (WORKSPACE / "shop" / "__init__.py").write_text("")
    (WORKSPACE / "shop" / "models.py").write_text(MODELS)
    (WORKSPACE / "app.py").write_text(APP, encoding="utf-8")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "typeinfer.lsp"],
                                              server_env={"TYPEINFER_CACHE": str(CACHE)}))
async def client(lsp_client: LanguageClient):
    _write_workspace()
    lsp_client.refreshes = 0

    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def _refresh(params: None) -> None:
        lsp_client.refreshes += 1

    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                    root_uri=WORKSPACE.as_uri(),
                                    initialization_options={"minConfidence": 0.5, "debounceMs": 30})
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    shutil.rmtree(CACHE, ignore_errors=True)


URI = (WORKSPACE / "app.py").as_uri()
WHOLE = types.Range(types.Position(0, 0), types.Position(10_000, 0))


def _open(client: LanguageClient, uri: str, text: str, language: str = "python", version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))


def _change(client: LanguageClient, uri: str, version: int, line: int, col: int, end_line: int, end_col: int,
            text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, col), types.Position(end_line, end_col)), text=text)]))


async def _hints(client: LanguageClient, uri: str = URI) -> dict[tuple[int, int], str]:
    found = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=WHOLE))
    return {(h.position.line, h.position.character): h.label for h in found or []}


def _plain(value):  # noqa: ANN001, ANN202 - pygls hands custom results back as named tuples
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def _status(client: LanguageClient) -> dict:
    status = _plain(await client.protocol.send_request_async("typeinfer/status", {}))
    status["documents"] = {d["uri"]: d for d in status["documents"]}
    return status


async def _settle(client: LanguageClient, uri: str, version: int, timeout: float = 60) -> None:
    """Wait until the document's analysis has caught up with `version` and the thread is idle."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        status = await _status(client)
        doc = status["documents"].get(uri)
        if doc and doc["analyzedVersion"] == version and status["pending"] == 0 and status["idle"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"analysis did not settle: {status}")


def _send_raw(client: LanguageClient, body: bytes) -> None:
    """Bytes the typed client would refuse to send (malformed messages)."""
    result = client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    if inspect.isawaitable(result):
        asyncio.ensure_future(result)


def _index(text: str, needle: str) -> tuple[int, int]:
    for n, line in enumerate(text.split("\n")):
        if needle in line:
            return n, line.index(needle)
    raise AssertionError(needle)


@pytest.mark.asyncio
async def test_session(client: LanguageClient):
    _open(client, URI, APP)
    hints = await _hints(client)
    await _settle(client, URI, 1)
    hints = await _hints(client)

    # inlay hints: returns after ")", variables after the name; UTF-16 columns after an emoji string
    count_line, _ = _index(APP, "def count(text)")
    assert hints[(count_line, len("def count(text)"))] == "-> int"
    n_line, n_col = _index(APP, "    n = len")
    assert hints[(n_line, n_col + 5)] == ": int"
    emoji_line, _ = _index(APP, "ö = 4")
    line = APP.split("\n")[emoji_line]
    utf16 = len(line[:line.index("ö") + 1].encode("utf-16-le")) // 2
    assert utf16 == 17 and hints[(emoji_line, 17)] == ": int"
    make_line, _ = _index(APP, "def make(name)")
    assert hints[(make_line, len("def make(name)"))] == "-> User"

    # the build reported progress, and the missing model was said once
    reports = client.progress_reports.get("typeinfer/build", [])
    assert reports and isinstance(reports[0], types.WorkDoneProgressBegin) and isinstance(reports[-1], types.WorkDoneProgressEnd)

    # hover on a use of `n`: type, confidence, source, evidence
    use_line, use_col = _index(APP, "return n")
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(use_line, use_col + 7)))
    assert result is not None
    body = result.contents.value
    assert "`int`" in body and "static" in body and "98%" in body and "len(text)" in body
    # hover on a non-ASCII name (UTF-16 position)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(emoji_line, 16)))
    assert result is not None and "`ö`" in result.contents.value

    # hint textEdits apply to a parsable text with the annotation
    full = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=URI), range=WHOLE))
    hint = next(h for h in full if (h.position.line, h.position.character) == (emoji_line, 17))
    assert "confidence" in hint.tooltip.value
    if hint.text_edits is None:  # a client that resolves textEdits gets them from inlayHint/resolve
        hint = await client.inlay_hint_resolve_async(hint)
    applied = apply_text_edits(APP, hint.text_edits, "utf-16")
    ast.parse(applied)
    assert 'ä = "🎉🎉"; ö: int = 4' in applied

    # code actions: at the cursor, and the whole file
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(types.Position(n_line, n_col + 4), types.Position(n_line, n_col + 4)),
        context=types.CodeActionContext(diagnostics=[])))
    titles = [a.title for a in actions]
    single = next(a for a in actions if a.title.startswith("Add type annotation"))
    assert "n: int" in single.title, titles
    text = apply_text_edits(APP, single.edit.changes[URI], "utf-16")
    ast.parse(text)
    assert "    n: int = len(text)" in text
    everything = next(a for a in actions if a.title.startswith("Annotate all in file"))
    text = apply_text_edits(APP, everything.edit.changes[URI], "utf-16")
    tree = ast.parse(text)
    # the static facts are certain; the model may also type the parameters (`text`, `name`)
    assert re.search(r"def count\(text(: \w+)?\) -> int:", text), text
    assert re.search(r"def make\(name(: \w+)?\) -> User:", text), text
    assert 'ö: int = 4' in text and "k: str = 5" in text  # the declared one is left alone
    assert any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)

    # edit: two lines on top -> the hints move at once; then change `n` and see it update
    _change(client, URI, 2, 0, 0, 0, 0, "# one\n# two\n")
    moved = await _hints(client)
    assert moved.get((n_line + 2, n_col + 5)) == ": int"
    text2 = "# one\n# two\n" + APP
    _change(client, URI, 3, n_line + 2, n_col + 8, n_line + 2, n_col + 17, "str(text)")
    text3 = text2.replace("n = len(text)", "n = str(text)")
    await _settle(client, URI, 3)
    updated = await _hints(client)
    assert updated.get((n_line + 2, n_col + 5)) == ": str"

    # a burst of 1,000 changes: typed and deleted in a comment; one analysis at the end
    version = 3
    for i in range(500):
        version += 1
        _change(client, URI, version, 0, 5, 0, 5, "x")
        version += 1
        _change(client, URI, version, 0, 5, 0, 6, "")
    await _settle(client, URI, version)
    status = await _status(client)
    assert status["documents"][URI]["version"] == version
    after = await _hints(client)
    assert after.get((n_line + 2, n_col + 5)) == ": str"

    # untitled documents and files outside the workspace
    _open(client, "untitled:Untitled-1", "def f():\n    return 'é🎉'\n")
    assert (await _hints(client, "untitled:Untitled-1")).get((0, 7)) == "-> str"
    outside = Path(tempfile.mkdtemp(prefix="typeinfer-outside-")) / "solo.py"
    outside.write_text("def g(a):\n    y = [1, 2]\n    return y\n")
    try:
        _open(client, outside.as_uri(), outside.read_text())
        got = await _hints(client, outside.as_uri())
        assert got.get((1, 5)) == ": list[int]"
    finally:
        shutil.rmtree(outside.parent, ignore_errors=True)

    # bad traffic: unknown method, malformed params, edits to a document never opened
    with pytest.raises(Exception):
        await client.protocol.send_request_async("typeinfer/noSuchThing", {})
    _send_raw(client, b'{"jsonrpc": "2.0", "id": "x2", "method": "textDocument/hover", "params": {"textDocument": 3}}')
    _change(client, "file:///never/opened.py", 5, 0, 0, 0, 0, "x = 1\n")
    _send_raw(client, b'{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"nonsense": true}}')
    _send_raw(client, b'{"jsonrpc": "2.0", "id": "x1", "method": "textDocument/inlayHint", "params": [1, 2]}')
    _send_raw(client, b'{this is not json')
    assert (await _status(client))["documents"][URI]["version"] == version

    # cancellation: a hint request waiting for a first analysis is cancelled
    _open(client, "untitled:Untitled-2", "def h():\n    return 1\n" * 400)
    future = client.protocol.send_request("textDocument/inlayHint", types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri="untitled:Untitled-2"), range=WHOLE), msg_id="cancel-me")
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="cancel-me"))
    try:
        await asyncio.wait_for(asyncio.wrap_future(future), 30)
    except Exception as exc:  # noqa: BLE001 - cancelled (the usual case) or already answered
        assert "cancel" in str(exc).lower()
    assert (await _status(client))["documents"]

    # diagnostics (off by default): switched on through didChangeConfiguration
    assert not client.diagnostics.get(URI)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"typeinfer": {"diagnostics": True, "useModel": False}}))
    for _ in range(600):
        if client.diagnostics.get(URI):
            break
        await asyncio.sleep(0.05)
    found = client.diagnostics[URI]
    assert [d.severity for d in found] == [types.DiagnosticSeverity.Information]
    k_line, k_col = _index(text3, "k: str")
    assert found[0].range.start == types.Position(k_line, k_col) and "`int`" in found[0].message

    if not (default_model_dir() / "model.onnx").exists():  # said once, not per document
        assert sum("static facts only" in m.message for m in client.messages) == 1


@pytest.mark.asyncio
async def test_a_burst_of_1000_edits_on_a_2000_line_file_is_read_as_it_comes(client: LanguageClient):
    """The server applies 1,000 keystrokes on a 2,000-line file and then answers a hint request
    at once, from the hints moved through the edits (the bound is generous; the real figure is
    in bench/bench_lsp.py --big)."""
    functions = [f"def f{i}(x):\n    y = x + {i}\n    return str(y)\n\n" for i in range(500)]
    text = "".join(functions)
    assert text.count("\n") >= 2000
    uri = (WORKSPACE / "big.py").as_uri()
    (WORKSPACE / "big.py").write_text(text)
    _open(client, uri, text)
    await _settle(client, uri, 1, timeout=120)
    line = 250 * 4 + 1  # the body of f250: "    y = x + 250"
    before = await _hints(client, uri)
    assert before.get((line + 3, 11)) == "-> str"  # f251's return, three lines below the typing
    version = 1
    loop = asyncio.get_running_loop()
    for i in range(1000):
        version += 1
        _change(client, uri, version, line, 4 + i, line, 4 + i, "z")
    started = loop.time()
    after = await _hints(client, uri)
    assert loop.time() - started < 10.0
    assert after.get((line + 3, 11)) == "-> str"  # moved through the edits, still in place
    status = await _status(client)
    assert status["documents"][uri]["version"] == version and not status["documents"][uri]["desynced"]
