"""Per-pair quality signals: language ID of both sides, Indonesian/Malay markers, overlap,
and the columns a user filters by (quality)."""
