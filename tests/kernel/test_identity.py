"""Static roles from the settings string."""

from __future__ import annotations

from kernel.identity import Role, StaticRoles


async def test_static_roles():
    roles = StaticRoles("@zhang:gov=staff+department_head,@li:gov=supervisor")
    assert await roles.roles_of("matrix", "@zhang:gov") == {Role.STAFF, Role.HEAD}
    assert await roles.roles_of("rest", "anyone") == {Role.CITIZEN}
