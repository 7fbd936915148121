-- AlterTable
ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;

-- Safe: a default fills existing rows; nullable; serial and identity fill rows.
ALTER TABLE "User" ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "nickname" TEXT,
ADD COLUMN "seq" SERIAL NOT NULL,
ADD COLUMN "n" BIGINT GENERATED ALWAYS AS IDENTITY;

-- A table created earlier in the migration has no rows.
CREATE TABLE "Fresh" ("id" TEXT NOT NULL);
ALTER TABLE "Fresh" ADD COLUMN "required" TEXT NOT NULL;

-- Two actions, one required.
ALTER TABLE "Post" ADD COLUMN "title" TEXT,
ADD COLUMN "slug" TEXT NOT NULL;

-- refract-lint: allow adding-required-field
ALTER TABLE "User" ADD COLUMN "country" TEXT NOT NULL;
