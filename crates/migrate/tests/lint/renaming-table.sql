ALTER TABLE "User" RENAME TO "Account";

-- Safe: a table created above.
CREATE TABLE "Fresh" ("a" TEXT);
ALTER TABLE "Fresh" RENAME TO "Newer";
CREATE INDEX "Newer_a_idx" ON "Newer"("a");

-- refract-lint: allow renaming-table
ALTER TABLE "Post" RENAME TO "Article";
