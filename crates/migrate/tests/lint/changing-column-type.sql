CREATE TABLE "Fresh" ("id" TEXT NOT NULL);
ALTER TABLE "Fresh" ALTER COLUMN "id" SET DATA TYPE INTEGER USING "id"::integer;

-- AlterTable: the old type is unknown here.
ALTER TABLE "User" ALTER COLUMN "createdAt" SET DATA TYPE TIMESTAMPTZ(3);

ALTER TABLE "User" ALTER COLUMN "count" TYPE BIGINT;

-- refract-lint: allow changing-column-type
ALTER TABLE "User" ALTER COLUMN "score" SET DATA TYPE DOUBLE PRECISION;
