DROP TABLE gone;
CREATE TYPE "Role" AS ENUM ('x', 'y');
CREATE TABLE "User" (id INT PRIMARY KEY, kind "Role", other role);
CREATE TABLE "Gone" (id INT PRIMARY KEY);
CREATE TABLE "Zed" (id INT PRIMARY KEY);
