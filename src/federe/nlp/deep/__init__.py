"""The deep tier: one multilingual sentence encoding per message (``encoder``) shared by linear heads (``heads``)."""
