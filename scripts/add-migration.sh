#!/usr/bin/env bash
# Adds a migration with the same name to every database provider, so SQLite and PostgreSQL stay in step.
# Usage: scripts/add-migration.sh NameOfChange
set -euo pipefail
name="${1:?usage: scripts/add-migration.sh NameOfChange}"
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  project="src/Perennial.Migrations.$provider"
  dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --output-dir Migrations
done
dotnet format src/Perennial.Migrations.Sqlite/Perennial.Migrations.Sqlite.csproj whitespace >/dev/null || true
dotnet format src/Perennial.Migrations.Postgres/Perennial.Migrations.Postgres.csproj whitespace >/dev/null || true
