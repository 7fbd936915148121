ALTER TABLE "User" ADD CONSTRAINT "age_positive" CHECK ("age" > 0);

ALTER TABLE "User" ADD CHECK (char_length("name") < 100);

-- Safe: NOT VALID; a table created above.
ALTER TABLE "User" ADD CONSTRAINT "score_positive" CHECK ("score" > 0) NOT VALID;
CREATE TABLE "Fresh" ("n" INTEGER);
ALTER TABLE "Fresh" ADD CONSTRAINT "n_positive" CHECK ("n" > 0);

-- Validating in the migration that adds the constraint keeps the lock while it scans.
ALTER TABLE "User" VALIDATE CONSTRAINT "score_positive";
ALTER TABLE "User" ADD CONSTRAINT "User_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "A"("id") NOT VALID;
ALTER TABLE "User" VALIDATE CONSTRAINT "User_authorId_fkey";
-- Validating a constraint added by an earlier migration is the safe form.
ALTER TABLE "User" VALIDATE CONSTRAINT "older_check";

-- refract-lint: allow constraint-missing-not-valid
ALTER TABLE "User" ADD CONSTRAINT "x" CHECK ("x" <> '');
