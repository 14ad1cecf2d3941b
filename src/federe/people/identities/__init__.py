"""Identities and merging: which identities are one person (``evidence``), the suggestions made from that
evidence (``suggestions``), and merges that can always be undone (``merging``)."""
