-- Several rules in one comment, with a reason after them; the comment may sit above
-- Prisma's own comment.
-- refract-lint: allow ban-drop-column, renaming-column because the old code is gone
-- AlterTable
ALTER TABLE "User" DROP COLUMN "a",
RENAME COLUMN "b" TO "c";

/* refract-lint: allow require-concurrent-index-creation */
CREATE INDEX "i" ON "User"("x");

-- An allow comment covers only the statement right below it.
CREATE INDEX "j" ON "User"("y");

-- An unknown name silences nothing.
-- refract-lint: allow no-such-rule
ALTER TABLE "User" ALTER COLUMN "z" SET NOT NULL;
