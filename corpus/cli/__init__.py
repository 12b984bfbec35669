"""The `idcorpus` command: parsing (main), the subcommands (commands) and shared flags (flags)."""
