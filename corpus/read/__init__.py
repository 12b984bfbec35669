"""Inputs -> Documents: files, folders, globs, stdin, records (JSONL/CSV/TSV/Parquet), HF datasets.

config (ReadConfig) -> paths (where inputs are) -> streams (bytes, compression) -> decode
(text) -> text / records / delimited / tables (one reader per format) -> inputs (iter_documents);
manifest: what a build will read, before reading it."""
