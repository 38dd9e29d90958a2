"""The roster import, one job a module:

- `pipeline`: the import as a whole (`import_members`): two processes, one transaction, the report;
- `checking`: the file side: rows read and checked, people named twice found, rows sealed;
- `registered`: who among the file's people is registered already;
- `planning`: what a chunk does against the database (`plan_rows`);
- `writing`: a planned chunk written into the import's batch (`BatchWriter`);
- `inserting`: rows written in bulk as each database takes them fastest;
- `tuning`: SQLite made ready for a large import (page cache, deferred indexes);
- `rollback`: a whole import undone (`roll_back_batch`).
"""
