"""One lifecycle for every import: upload, a background check with progress, the error list
and its download, confirmation (or the good rows only, chosen after the check), writing,
roll-back where the kind can, and retention of the upload; one CLI base and one template
download, all from the kind an app declares (`kinds.ImportKind`)."""
