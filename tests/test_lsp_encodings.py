"""Position encodings, end to end with a real LSP client (pytest-lsp) and the server in a subprocess.

A client that negotiates UTF-8 (Neovim, Helix), UTF-16 (VS Code) or UTF-32 (Emacs) sends and
receives columns in its own units.  On lines with emoji, CJK and combining characters: an edit the
client sends lands where the client meant it, hints sit on the right columns, and the buffer after
"Annotate all in file" is byte for byte what `typeinfer annotate --write` writes for the same text.
Static facts only, so that both sides infer the same types without the model.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from typeinfer.lsp.edits import apply_text_edits
from typeinfer.lsp.positions import char_to_col

pytestmark = pytest.mark.slow

TEXT = '''def größe():
    ä = "🎉🎉" * 3; ö = 4
    名前 = "café"
    return ä


def count(text):
    n = len("e\u0301🎉" + text)
    return n
'''


CACHE = Path(tempfile.gettempdir()) / "typeinfer-lsp-encodings-cache"  #: the server's graph cache, shared by the runs


@pytest_lsp.fixture(params=["utf-8", "utf-16", "utf-32"],
                    config=ClientServerConfig(server_command=[sys.executable, "-m", "typeinfer.lsp"],
                                              server_env={"TYPEINFER_CACHE": str(CACHE)}))
async def client(lsp_client: LanguageClient, request):
    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def _refresh(params: None) -> None:
        return None

    capabilities = client_capabilities("neovim")
    capabilities.general.position_encodings = [request.param]
    root = Path(tempfile.mkdtemp(prefix="typeinfer-lsp-enc-"))
    lsp_client.root = root
    params = types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri(),
                                    initialization_options={"useModel": False, "debounceMs": 20})
    result = await lsp_client.initialize_session(params)
    lsp_client.encoding = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(root, ignore_errors=True)


def _col(line: str, char_index: int, encoding: str) -> int:
    return char_to_col(line, char_index, encoding)


async def _analysed(client: LanguageClient, uri: str, version: int) -> None:
    for _ in range(1200):
        status = await client.protocol.send_request_async("typeinfer/status", {})
        docs = {d.uri: d for d in status.documents}
        if uri in docs and docs[uri].analyzedVersion == version and status.pending == 0 and status.idle:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the analysis did not catch up")


def _annotate_write(text: str) -> bytes:
    """What `typeinfer annotate --write --no-model` makes of `text` saved as a file."""
    work = Path(tempfile.mkdtemp(prefix="typeinfer-enc-cli-"))
    try:
        path = work / "m.py"
        path.write_bytes(text.encode("utf-8"))
        done = subprocess.run([sys.executable, "-m", "typeinfer", "annotate", str(work), "--write", "--no-model",
                               "--no-cache", "-q"], capture_output=True, text=True, timeout=300,
                              env={"TYPEINFER_CACHE": str(CACHE), "PATH": ""})
        assert done.returncode == 0, done.stderr
        return path.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.asyncio
async def test_edits_hints_and_code_actions_use_the_negotiated_encoding(client: LanguageClient):
    encoding = client.encoding
    assert encoding in ("utf-8", "utf-16", "utf-32")
    uri = (client.root / "m.py").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=TEXT)))
    # type "Z" right after the two emoji, at a column counted in the client's units
    lines = TEXT.split("\n")
    at = _col(lines[1], lines[1].index('"') + 3, encoding)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(1, at), types.Position(1, at)), text="Z")]))
    edited = TEXT.replace('"🎉🎉"', '"🎉🎉Z"')
    await _analysed(client, uri, 2)

    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(100, 0))))
    by_position = {(h.position.line, h.position.character): h.label for h in hints or []}
    new_lines = edited.split("\n")
    ae_end = _col(new_lines[1], new_lines[1].index("ä") + 1, encoding)
    oe_end = _col(new_lines[1], new_lines[1].index("ö") + 1, encoding)
    name_end = _col(new_lines[2], new_lines[2].index("前") + 1, encoding)
    assert by_position.get((1, ae_end)) == ": str"
    assert by_position.get((1, oe_end)) == ": int"
    assert by_position.get((2, name_end)) == ": str"

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[])))
    whole = [a for a in actions or [] if a.title.startswith("Annotate all in file")]
    assert whole, [a.title for a in actions or []]
    buffer = apply_text_edits(edited, whole[0].edit.changes[uri], encoding)
    assert buffer.encode("utf-8") == _annotate_write(edited)
    assert '"🎉🎉Z" * 3' in buffer
