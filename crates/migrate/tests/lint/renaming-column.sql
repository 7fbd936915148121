ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
ALTER TABLE "User" RENAME "email" TO "mail";

-- Safe: renaming a constraint; a column of a table created above.
ALTER TABLE "User" RENAME CONSTRAINT "a" TO "b";
CREATE TABLE "Fresh" ("a" TEXT);
ALTER TABLE "Fresh" RENAME COLUMN "a" TO "b";

-- refract-lint: allow renaming-column
ALTER TABLE "User" RENAME COLUMN "city" TO "town";
