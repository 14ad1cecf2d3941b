"""The deep tier: messages stored by ingest (the fast tier) are refined in the background by the encoder and its
heads, their scores upgraded in place, and the score-based rules run again on them (``docs/architecture.md``)."""
