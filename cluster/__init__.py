"""Many repositories at once: `typeinfer batch` over local processes or a Ray cluster.

Modules: `repos` (what a batch's input names, and each repository's content fingerprint),
`task` (one repository's job, run in a worker: the same code path as the single-repository
command), `engines` (where tasks run: local processes, or Ray), `batch` (the run: resume,
retry, failures, per-repository outputs, merged SARIF, progress).
"""
