"""Candidate discovery from registry metadata (corpus/discover.py): which metadata counts as typed."""

from __future__ import annotations

from typeinfer.corpus import discover


def test_pypi_typed_classifier():
    assert discover.pypi_says_typed({"info": {"classifiers": ["Typing :: Typed", "License :: OSI Approved"]}})
    assert not discover.pypi_says_typed({"info": {"classifiers": ["Programming Language :: Python :: 3"]}})
    assert not discover.pypi_says_typed({"info": {"classifiers": None}})
    assert not discover.pypi_says_typed(None)  # metadata that could not be read


def test_npm_sources_published():
    ts = {"devDependencies": {"typescript": "^5"}}
    assert discover.npm_says_ts_sources(ts)  # no files list: the whole repository is published
    assert discover.npm_says_ts_sources({**ts, "files": ["dist", "src"]})
    assert discover.npm_says_ts_sources({**ts, "files": ["lib/**/*.ts"]})
    assert not discover.npm_says_ts_sources({**ts, "files": ["dist", "README.md"]})  # compiled output only
    assert not discover.npm_says_ts_sources({"devDependencies": {"babel": "7"}})  # not written in TypeScript
    assert not discover.npm_says_ts_sources(None)


def test_known_names_include_existing_candidates_and_reserved():
    known = discover._known("pypi")
    assert "attrs" in known  # reserved for evaluation
    assert "anyio" in known  # in the hand-written candidate list
    assert "rich" in known and "zod" in discover._known("npm")
