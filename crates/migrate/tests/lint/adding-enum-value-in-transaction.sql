-- fixture: server_version_num=110022
-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'ADMIN';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "nickname" TEXT;

-- refract-lint: allow adding-enum-value-in-transaction
ALTER TYPE "Role" ADD VALUE 'OWNER';
