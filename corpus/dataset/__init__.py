"""Dataset folders: the schema of their rows, Parquet files, splits, statistics, the card,
the one writer, and the operations on a finished folder (filter, export, shards)."""
