"""The schema, as an ordered list of migrations. Never edit a shipped one: add a new one."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

migrations = sqlite_utils.Migrations("starting-point")


@migrations()
def m001_settings(db: sqlite_utils.Database) -> None:
    # centre-wide settings as key/value pairs; the first one records when this install began
    db["settings"].create({"key": str, "value": str}, pk="key")  # type: ignore[union-attr]
    db["settings"].insert(  # type: ignore[union-attr]
        {"key": "installed_at", "value": datetime.now(UTC).isoformat(timespec="seconds")}
    )


@migrations()
def m002_learners(db: sqlite_utils.Database) -> None:
    # learners and everything they answer; the personal link's token is stored only as a hash
    _run(
        db,
        """
        CREATE TABLE learners (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            candidate_number TEXT NOT NULL DEFAULT '',
            job_role TEXT NOT NULL DEFAULT '',
            job_role_other TEXT NOT NULL DEFAULT '',
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            resume_page TEXT NOT NULL DEFAULT '',
            submitted_at TEXT,
            plan_confirmed_at TEXT,
            archived_at TEXT
        );
        CREATE TABLE ratings (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 3),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE context_answers (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            context_id TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'sometimes', 'no')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, context_id)
        ) WITHOUT ROWID;
        CREATE TABLE interests (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            unit TEXT NOT NULL,
            PRIMARY KEY (learner_id, unit)
        ) WITHOUT ROWID;
        CREATE TABLE self_checks (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            unit TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX self_checks_by_learner ON self_checks (learner_id, unit, id);
        CREATE TABLE check_ratings (
            check_id INTEGER NOT NULL REFERENCES self_checks(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 3),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (check_id, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            learner_id INTEGER,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_by_learner ON audit (learner_id, id);
        """,
    )


def _run(db: sqlite_utils.Database, script: str) -> None:
    # one statement at a time: executescript() would commit the migration's transaction early
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m003_staff(db: sqlite_utils.Database) -> None:
    # staff accounts, server-side sessions (so signing out really ends them), one-time setup
    # links, failed sign-ins counted here so every worker process agrees
    _run(
        db,
        """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'verifier')),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        );
        CREATE TABLE staff_sessions (
            token_hash TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            ended_at TEXT
        ) WITHOUT ROWID;
        CREATE TABLE setup_links (
            token_hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        ) WITHOUT ROWID;
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE,
            address TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
        CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);
        ALTER TABLE learners ADD COLUMN assessor_id INTEGER REFERENCES staff(id);
        CREATE INDEX learners_by_assessor ON learners (assessor_id);
        CREATE TABLE assessor_ratings (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 3),
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE plans (
            learner_id INTEGER PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE,
            units TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES staff(id),
            confirmed_at TEXT,
            confirmed_by INTEGER REFERENCES staff(id)
        );
        CREATE TABLE assessment_plan_rows (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            units TEXT NOT NULL,
            observed_when TEXT NOT NULL,
            observed_where TEXT NOT NULL,
            activity TEXT NOT NULL,
            evidence TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX assessment_plan_rows_by_learner ON assessment_plan_rows (learner_id, id);
        CREATE TABLE contracts (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            content TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            learner_name TEXT,
            learner_signed_at TEXT,
            assessor_name TEXT,
            assessor_signed_at TEXT,
            assessor_id INTEGER REFERENCES staff(id),
            UNIQUE (learner_id, version)
        )
        """,
    )


@migrations()
def m004_add_learner_requests(db: sqlite_utils.Database) -> None:
    # the learners each "Add" form created, by the form's one-time key and who sent it: the
    # same form sent twice (a double tap, a browser sending it again) adds nobody twice
    _run(
        db,
        """
        CREATE TABLE add_learner_requests (
            request_key TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (request_key, staff_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX add_learner_requests_by_learner ON add_learner_requests (learner_id);
        CREATE INDEX add_learner_requests_by_time ON add_learner_requests (created_at)
        """,
    )


@migrations()
def m005_plan_row_request_keys(db: sqlite_utils.Database) -> None:
    # the one-time key of the form that added an assessment plan row: the same form sent twice
    # (a double tap) adds one row
    _run(
        db,
        """
        ALTER TABLE assessment_plan_rows ADD COLUMN request_key TEXT;
        CREATE UNIQUE INDEX assessment_plan_rows_by_request
            ON assessment_plan_rows (learner_id, created_by, request_key)
            WHERE request_key IS NOT NULL
        """,
    )


@migrations()
def m006_unit_drafts(db: sqlite_utils.Database) -> None:
    # unit specifications read in the browser (the source's lines, kept to check against) and
    # the draft units read from them, edited until they are published or discarded; the
    # import's one-time key: the same upload sent twice makes its drafts once
    _run(
        db,
        """
        CREATE TABLE content_imports (
            id INTEGER PRIMARY KEY,
            qualification TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            pages INTEGER NOT NULL DEFAULT 0,
            lines TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            request_key TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX content_imports_by_request
            ON content_imports (staff_id, request_key) WHERE request_key IS NOT NULL;
        CREATE TABLE unit_drafts (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES content_imports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            draft TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES staff(id),
            published_at TEXT,
            published_by INTEGER REFERENCES staff(id),
            published_unit TEXT,
            published_version INTEGER
        );
        CREATE INDEX unit_drafts_by_import ON unit_drafts (import_id, position)
        """,
    )


@migrations()
def m007_workplace_contacts(db: sqlite_utils.Database) -> None:
    # the learner's workplace: contacts with personal links of their own (only the hash kept),
    # their view of the learner's job and claims, witness testimonies, the employer's signature
    _run(
        db,
        """
        CREATE TABLE workplace_contacts (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            job_title TEXT NOT NULL DEFAULT '',
            relationship TEXT NOT NULL
                CHECK (relationship IN ('line-manager', 'supervisor', 'colleague')),
            role TEXT NOT NULL DEFAULT 'workplace' CHECK (role IN ('workplace', 'witness')),
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id),
            request_key TEXT,
            link_issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT,
            sent_at TEXT,
            erased_at TEXT
        );
        CREATE INDEX workplace_contacts_by_learner ON workplace_contacts (learner_id, id);
        CREATE UNIQUE INDEX workplace_contacts_by_request
            ON workplace_contacts (learner_id, created_by, request_key)
            WHERE request_key IS NOT NULL;
        CREATE TABLE workplace_context_answers (
            contact_id INTEGER NOT NULL REFERENCES workplace_contacts(id) ON DELETE CASCADE,
            context_id TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'sometimes', 'no')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (contact_id, context_id)
        ) WITHOUT ROWID;
        CREATE TABLE workplace_ratings (
            contact_id INTEGER NOT NULL REFERENCES workplace_contacts(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            rating TEXT CHECK (rating IN ('seen', 'partly', 'not-yet', 'no-chance')),
            note TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (contact_id, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE testimonies (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            contact_id INTEGER REFERENCES workplace_contacts(id) ON DELETE SET NULL,
            learner_name TEXT NOT NULL,
            activity_date TEXT NOT NULL DEFAULT '',
            activity_time TEXT NOT NULL DEFAULT '',
            venue TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            relationship TEXT NOT NULL DEFAULT '',
            job_title TEXT NOT NULL DEFAULT '',
            contact_details TEXT NOT NULL DEFAULT '',
            signature TEXT,
            signed_at TEXT,
            written_on TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            request_key TEXT,
            decision TEXT CHECK (decision IN ('accepted', 'not-accepted')),
            questioning_note TEXT NOT NULL DEFAULT '',
            decided_by INTEGER REFERENCES staff(id),
            decided_at TEXT
        );
        CREATE INDEX testimonies_by_learner ON testimonies (learner_id, id);
        CREATE INDEX testimonies_by_contact ON testimonies (contact_id, id);
        CREATE UNIQUE INDEX testimonies_by_request ON testimonies (contact_id, request_key)
            WHERE request_key IS NOT NULL;
        CREATE TABLE testimony_criteria (
            testimony_id INTEGER NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            PRIMARY KEY (testimony_id, statement_id)
        ) WITHOUT ROWID;
        ALTER TABLE contracts ADD COLUMN employer_name TEXT;
        ALTER TABLE contracts ADD COLUMN employer_signed_at TEXT;
        ALTER TABLE contracts ADD COLUMN employer_title TEXT;
        ALTER TABLE contracts ADD COLUMN employer_contact_id INTEGER
            REFERENCES workplace_contacts(id) ON DELETE SET NULL
        """,
    )


@migrations()
def m007_learner_qualification(db: sqlite_utils.Database) -> None:
    # the qualification each learner is enrolled on, by its code; learners added before a
    # centre served several qualifications are on the one it served then (03455 as shipped)
    _run(
        db,
        """
        ALTER TABLE learners ADD COLUMN qualification TEXT NOT NULL DEFAULT '03455';
        CREATE INDEX learners_by_qualification ON learners (qualification, name)
        """,
    )


@migrations()
def m008_prior_learning_ledger(db: sqlite_utils.Database) -> None:
    # the prior-learning ledger: the evidence the assessor names for a criterion rated "could
    # show evidence now" (only such criteria count as met), the funding profile and the figures
    # the centre enters per learner, and every decision on the ledger with the version of the
    # figures it was taken on (kept, never edited: a new decision is a new row)
    _run(
        db,
        """
        CREATE TABLE prior_learning_evidence (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            statement_id TEXT NOT NULL,
            evidence TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE prior_learning_funding (
            learner_id INTEGER PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE,
            profile TEXT NOT NULL DEFAULT '',
            agreed_price INTEGER,
            planned_months INTEGER,
            off_the_job_hours INTEGER,
            updated_by INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE prior_learning_decisions (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'no-reduction')),
            reason TEXT NOT NULL DEFAULT '',
            unit_reasons TEXT NOT NULL DEFAULT '{}',
            version TEXT NOT NULL,
            figures TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            decided_at TEXT NOT NULL
        );
        CREATE INDEX prior_learning_decisions_by_learner
            ON prior_learning_decisions (learner_id, id)
        """,
    )


@migrations()
def m009_learner_record(db: sqlite_utils.Database) -> None:
    # the learner's record (the portfolio's introductory section): contact details, employer
    # and workplace, the programme's dates; and the initial-assessment conversation, the seed's
    # checklist ticked point by point with the date and the assessor's note
    _run(
        db,
        """
        ALTER TABLE learners ADD COLUMN email TEXT NOT NULL DEFAULT '';
        ALTER TABLE learners ADD COLUMN phone TEXT NOT NULL DEFAULT '';
        ALTER TABLE learners ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE learners ADD COLUMN employer TEXT NOT NULL DEFAULT '';
        ALTER TABLE learners ADD COLUMN workplace TEXT NOT NULL DEFAULT '';
        ALTER TABLE learners ADD COLUMN start_on TEXT;
        ALTER TABLE learners ADD COLUMN planned_end_on TEXT;
        CREATE TABLE initial_assessment (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            item TEXT NOT NULL,
            ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
            discussed_on TEXT,
            notes TEXT NOT NULL DEFAULT '',
            staff_id INTEGER REFERENCES staff(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, item)
        ) WITHOUT ROWID
        """,
    )


@migrations()
def m010_assessment_plan_rows_v2(db: sqlite_utils.Database) -> None:
    # a living assessment plan: real dates, who observes, the criteria each activity evidences
    # across units, a review date, and a status (planned, done with outcome and feedback, or
    # cancelled with the reason). Rows are never deleted. A row kept before this had its "when"
    # in words: it keeps them as the time, and gets the date where those words were one.
    _run(
        db,
        """
        ALTER TABLE assessment_plan_rows ADD COLUMN planned_on TEXT;
        ALTER TABLE assessment_plan_rows ADD COLUMN criteria TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE assessment_plan_rows ADD COLUMN observer TEXT NOT NULL DEFAULT 'assessor'
            CHECK (observer IN ('assessor', 'witness'));
        ALTER TABLE assessment_plan_rows ADD COLUMN witness_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE assessment_plan_rows ADD COLUMN witness_role TEXT NOT NULL DEFAULT '';
        ALTER TABLE assessment_plan_rows ADD COLUMN witness_contact TEXT NOT NULL DEFAULT '';
        ALTER TABLE assessment_plan_rows ADD COLUMN review_on TEXT;
        ALTER TABLE assessment_plan_rows ADD COLUMN status TEXT NOT NULL DEFAULT 'planned'
            CHECK (status IN ('planned', 'done', 'cancelled'));
        ALTER TABLE assessment_plan_rows ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
        ALTER TABLE assessment_plan_rows ADD COLUMN feedback TEXT NOT NULL DEFAULT '';
        ALTER TABLE assessment_plan_rows ADD COLUMN completed_on TEXT;
        ALTER TABLE assessment_plan_rows ADD COLUMN updated_by INTEGER REFERENCES staff(id);
        UPDATE assessment_plan_rows SET planned_on = date(trim(observed_when))
            WHERE date(trim(observed_when)) IS NOT NULL;
        UPDATE assessment_plan_rows SET observed_when = ''
            WHERE planned_on IS NOT NULL AND trim(observed_when) = planned_on
        """,
    )


@migrations()
def m011_verifier_sampling(db: sqlite_utils.Database) -> None:
    # an internal verifier's sample of a learner: what was sampled (the learner's record as a
    # whole, units), the comment and the decision; each verifier changes only their own
    _run(
        db,
        """
        CREATE TABLE samples (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            verifier_id INTEGER NOT NULL REFERENCES staff(id),
            parts TEXT NOT NULL,
            comment TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('agreed', 'action', 'not-agreed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            request_key TEXT
        );
        CREATE INDEX samples_by_learner ON samples (learner_id, id);
        CREATE UNIQUE INDEX samples_by_request ON samples (learner_id, verifier_id, request_key)
            WHERE request_key IS NOT NULL
        """,
    )


@migrations()
def m012_password_resets_and_link_requests(db: sqlite_utils.Database) -> None:
    # one-time links that let a member of staff choose a new password (made by an admin or on
    # the command line; only a hash is kept); and the personal links each "new link" form made,
    # by its one-time key, so the same form sent again (a refresh) makes no new link
    _run(
        db,
        """
        CREATE TABLE password_resets (
            token_hash TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX password_resets_by_staff ON password_resets (staff_id);
        CREATE TABLE link_requests (
            request_key TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (request_key, staff_id, learner_id)
        ) WITHOUT ROWID;
        CREATE INDEX link_requests_by_learner ON link_requests (learner_id)
        """,
    )
