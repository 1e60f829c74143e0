#!/usr/bin/env bash
# Adds a migration to both of the package's contexts (SQLite and PostgreSQL): ./add-migration.sh <Name>
# The migrations are the package's own, not its public API: they are made internal.
set -euo pipefail
cd "$(dirname "$0")"
name="${1:?usage: add-migration.sh <Name>}"
dotnet tool restore >/dev/null
for provider in Sqlite PostgreSql; do
  dotnet tool run dotnet-ef migrations add "$name" --context "Veza${provider}DbContext" --output-dir "Migrations/$provider"
  sed -i 's/^    public partial class/    internal partial class/' Migrations/"$provider"/*.cs
done
