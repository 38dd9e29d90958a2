"""The demo federation that `gonghui demo` builds (and `make run` loads on an empty database)."""

from __future__ import annotations

DEMO_PASSWORD = "gonghui-demo"  # noqa: S105 - printed in the README on purpose

# username, what the account is (printed by `gonghui demo` and `gonghui serve`)
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("federation", "officer of the regional federation (自治区总工会 管理员)"),
    ("prefecture", "officer of 乌鲁木齐市总工会"),
    ("county", "officer of a county federation in 乌鲁木齐市"),
    ("grassroots", "officer of one grassroots union in that county"),
    ("auditor", "auditor of the regional federation (审计员)"),
    ("security", "security administrator of the regional federation (安全管理员)"),
]
