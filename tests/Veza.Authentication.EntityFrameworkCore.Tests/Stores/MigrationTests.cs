using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

[TestFixture]
public sealed class MigrationTests
{
    [Test]
    public async Task The_sqlite_migrations_build_an_empty_database_that_matches_the_model()
    {
        await using var database = SqliteTestDatabase.CreateEmpty();
        await using var db = new VezaSqliteDbContext(database.Options);

        await db.Database.MigrateAsync();

        Assert.That(db.Database.HasPendingModelChanges(), Is.False, "the model changed without a migration: run add-migration.sh");
        Assert.That(await db.Database.GetPendingMigrationsAsync(), Is.Empty);
        Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
        Assert.That(await db.Set<Model.SettingsRow>().CountAsync(), Is.EqualTo(1), "the settings row is seeded");
        Assert.That(await db.Set<Model.ChangeFeedStateRow>().CountAsync(), Is.EqualTo(1), "the feed's state row is seeded");
    }

    [Test]
    public async Task The_postgresql_migrations_build_an_empty_database_that_matches_the_model()
    {
        await using var database = await PostgreSqlTestDatabase.CreateAsync(migrate: false);
        await using var db = new VezaPostgreSqlDbContext(database.Options);

        await db.Database.MigrateAsync();

        Assert.That(db.Database.HasPendingModelChanges(), Is.False, "the model changed without a migration: run add-migration.sh");
        Assert.That(await db.Database.GetPendingMigrationsAsync(), Is.Empty);
        Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
        Assert.That(await db.Set<Model.SettingsRow>().CountAsync(), Is.EqualTo(1));
        Assert.That(await db.Set<Model.ChangeFeedStateRow>().CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Migrating_twice_changes_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await using var db = new VezaSqliteDbContext(database.Options);

        await db.Database.MigrateAsync();

        Assert.That(await db.Set<Model.SettingsRow>().CountAsync(), Is.EqualTo(1));
    }
}
