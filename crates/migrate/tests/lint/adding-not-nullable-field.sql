-- AlterTable
ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;

-- Safe: a validated check proves it first (PostgreSQL 12+); the check was added `NOT VALID`
-- by an earlier migration (`.applied.sql`).
ALTER TABLE "User" VALIDATE CONSTRAINT "User_email_not_null";
ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;

-- A check that is never validated proves nothing.
ALTER TABLE "User" ADD CONSTRAINT "User_bio_not_null" CHECK ("bio" IS NOT NULL) NOT VALID;
ALTER TABLE "User" ALTER COLUMN "bio" SET NOT NULL;

-- refract-lint: allow adding-not-nullable-field
ALTER TABLE "User" ALTER COLUMN "city" SET NOT NULL;
