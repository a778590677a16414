"""Data access: every SQL statement the app runs, one module per aggregate.

- `learners`: learners and their answers (job, ratings, interests, self-checks, the
  assessor's ratings of them), personal links, who may see whom;
- `accounts`: staff accounts, their sessions, the setup link, failed sign-ins;
- `plans`: the assessor's unit plan, the assessment plan and learning contracts;
- `workplace`: a learner's workplace contacts and their links, their answers, testimonies;
- `audit`: the audit trail every change writes to;
- `records`: a learner's whole record, to export or erase;
- `prior_learning`: the ledger's evidence named, funding chosen and decisions;
- `tokens`: personal codes and session tokens (no SQL: how they are made and hashed);
- `sql`: rows as dicts, the time stamp.

Callers import the module they use (`from survey.store import learners`).
"""
