"""A build: inputs -> prepared units -> translations -> rows -> the published dataset.

config -> identity -> prepare (clean + segment) -> pairs (rows + signals) -> tasks/chunks
(the local build's units of work) -> pipeline (orchestration) -> assemble (publish)."""
