"""Who may do what with people, in terms of the workspace roles (accounts.permissions.ROLE_PERMS).

People reuse the existing permissions rather than adding new ones:

* see people, timelines, suggestions and signals: VIEW (every role);
* notes, tags, custom fields, segments, accepting, rejecting and undoing merges: ASSIGN (owner, community
  manager, moderator), the community team;
* scoring settings and recomputing: MANAGE_CONNECTIONS (owner, community manager);
* exporting the people list as CSV: VIEW_AUDIT (owner, community manager, analyst);
* exporting everything about one person: MANAGE_CONNECTIONS (owner, community manager);
* erasing a person: MANAGE_MEMBERS (owner only).
"""

from __future__ import annotations

from federe.accounts.permissions import Perm

PEOPLE_VIEW = Perm.VIEW
PEOPLE_EDIT = Perm.ASSIGN
PEOPLE_SETTINGS = Perm.MANAGE_CONNECTIONS
PEOPLE_EXPORT = Perm.VIEW_AUDIT
PERSON_EXPORT = Perm.MANAGE_CONNECTIONS
PERSON_ERASE = Perm.MANAGE_MEMBERS
