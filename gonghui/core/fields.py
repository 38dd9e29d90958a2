"""Model fields of our own."""

from __future__ import annotations

from typing import Any

from django.db import models


class ByteOrderCharField(models.CharField):  # type: ignore[type-arg]
    """Text compared and sorted byte by byte on every database, whatever the server's locale.

    For machine-made keys (keyed hashes, pinyin sort keys): SQLite compares text this way
    already; PostgreSQL would compare them by the database's collation, which orders them no
    better and costs every index insertion and look-up more (a million-row import writes three
    such indexes). On PostgreSQL the column takes the "C" collation.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
