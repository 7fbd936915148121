CREATE TABLE "Account" ("id" TEXT NOT NULL, "name" VARCHAR(50), "price" DECIMAL(10,2), "n" INTEGER, "tags" VARCHAR(20)[]);
ALTER TABLE "Account" RENAME TO "Customer";
