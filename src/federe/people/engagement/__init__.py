"""Engagement: the score, level and reach of each person, and the community signals drawn from them.

``formula`` is the one definition of the score (point rules, half-life, levels); ``statements`` turns it into
the SQL that writes scores; ``scoring`` runs it (full recompute, or incrementally for each new page);
``community`` marks newcomers, top members gone quiet and those who came back, and mails the digest.
"""
