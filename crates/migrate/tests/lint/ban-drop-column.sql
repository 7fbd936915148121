-- AlterTable: `email` is still in the schema, `legacy` is not.
ALTER TABLE "User" DROP COLUMN "email",
DROP COLUMN "legacy";

ALTER TABLE "Gone" DROP COLUMN "name";

-- refract-lint: allow ban-drop-column
ALTER TABLE "User" DROP COLUMN IF EXISTS "name";
