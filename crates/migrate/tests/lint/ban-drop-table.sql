-- DropTable: `User` is still in the schema, `Legacy` is not.
DROP TABLE "User";
DROP TABLE "Legacy";
DROP TABLE IF EXISTS "public"."Post", "Other" CASCADE;

-- refract-lint: allow ban-drop-table
DROP TABLE "Post";
