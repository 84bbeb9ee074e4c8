-- A submission belongs to its site's organisation (tenancy rests on its `org_id`). The
-- foreign key that said so checked each inserted row on its own: a trigger and a locking
-- lookup of the site per row. The collector stores a batch in one statement, so the same
-- rule is now checked once per statement, over all the rows it inserted: what the
-- database does to store a submission went from 200,801 to 171,192 instructions
-- (`bash scripts/bench/pg-row-cost.sh`; 172,124 before triage's columns and indexes).

ALTER TABLE submissions DROP CONSTRAINT submissions_site_org_fkey;

CREATE FUNCTION submissions_belong_to_their_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM inserted n
        WHERE NOT EXISTS (SELECT 1 FROM sites s WHERE s.id = n.site_id AND s.org_id = n.org_id)
    ) THEN
        RAISE EXCEPTION 'a submission belongs to an existing site of its organisation'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER submissions_belong_to_their_site
    AFTER INSERT ON submissions REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION submissions_belong_to_their_site();

-- What else the key guarded, rare enough to check row by row: a submission moved to
-- another site or organisation, and a site deleted or moved while it has submissions.
-- The key locked the site for each insert; instead, deleting or moving a site waits for
-- the submissions being stored to commit, and holds off new ones, before it looks
-- (Hark itself never does either: a site is disabled).
CREATE FUNCTION submission_site_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sites s WHERE s.id = NEW.site_id AND s.org_id = NEW.org_id) THEN
        RAISE EXCEPTION 'a submission belongs to an existing site of its organisation'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER submission_site_kept
    BEFORE UPDATE OF site_id, org_id ON submissions
    FOR EACH ROW EXECUTE FUNCTION submission_site_kept();

CREATE FUNCTION site_keeps_its_submissions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.org_id = OLD.org_id THEN
        RETURN NEW;
    END IF;
    LOCK TABLE submissions IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM submissions WHERE site_id = OLD.id) THEN
        RAISE EXCEPTION 'site % has submissions', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER site_keeps_its_submissions
    BEFORE DELETE OR UPDATE OF id, org_id ON sites
    FOR EACH ROW EXECUTE FUNCTION site_keeps_its_submissions();
