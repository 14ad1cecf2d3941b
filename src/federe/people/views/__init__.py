"""The people pages, one module per page (the list, a person, merges, engagement)."""
