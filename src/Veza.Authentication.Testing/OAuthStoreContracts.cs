using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>
/// The behaviour every <see cref="IOAuthClientStore"/> must have. Derive a fixture per implementation and supply a
/// fresh, empty store from <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract partial class OAuthClientStoreContract
{
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    protected IOAuthClientStore Store { get; private set; } = null!;

    protected abstract Task<IOAuthClientStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    [SetUp]
    public async Task CreateAsync() => Store = await CreateStoreAsync();

    [TearDown]
    public Task DisposeAsync() => DisposeStoreAsync();

    private static OAuthClientRecord Client(string id, string name = "client", string team = "t1") => new()
    {
        Id = id,
        Name = name,
        TeamId = team,
        Role = "operator",
        AllowedScopes = ["graph:read", "integrations:push"],
        AccessTokenLifetime = TimeSpan.FromMinutes(15),
        Secrets = [new OAuthClientSecretRecord("s1", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", Created, null)],
        CreatedBy = "user:admin",
        CreatedAt = Created,
    };

    private ValueTask<OAuthStoreResult> AddAsync(OAuthClientRecord client, int quota = 50) => Store.CreateAsync(client, quota, CancellationToken.None);

    [Test]
    public async Task A_created_client_is_found_with_every_field_intact()
    {
        var client = Client("c1");
        Assert.That(await AddAsync(client), Is.EqualTo(OAuthStoreResult.Success));

        var found = await Store.FindByIdAsync("c1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.Not.Null);
            Assert.That(found!.Name, Is.EqualTo("client"));
            Assert.That(found.AllowedScopes, Is.EqualTo(client.AllowedScopes));
            Assert.That(found.Secrets, Is.EqualTo(client.Secrets));
            Assert.That(found.AccessTokenLifetime, Is.EqualTo(client.AccessTokenLifetime));
            Assert.That(found.CreatedAt, Is.EqualTo(Created));
            Assert.That(found.Status, Is.EqualTo(OAuthClientStatus.Active));
        });
    }

    [Test]
    public async Task Ids_are_unique_and_names_unique_per_team_ignoring_case()
    {
        await AddAsync(Client("c1", "Sync"));

        Assert.Multiple(async () =>
        {
            Assert.That(await AddAsync(Client("c1", "other")), Is.EqualTo(OAuthStoreResult.Conflict));
            Assert.That(await AddAsync(Client("c2", "sync")), Is.EqualTo(OAuthStoreResult.DuplicateName));
            Assert.That(await AddAsync(Client("c3", "sync", team: "t2")), Is.EqualTo(OAuthStoreResult.Success));
            Assert.That(await Store.RenameAsync("c3", "SYNC", CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));
        });
    }

    [Test]
    public async Task The_quota_per_team_holds_under_concurrent_creates()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => AddAsync(Client($"c{i}", $"n{i}"), quota: 5).AsTask()));

        Assert.That(results.Count(r => r == OAuthStoreResult.Success), Is.EqualTo(5));
        Assert.That(results.Where(r => r != OAuthStoreResult.Success), Is.All.EqualTo(OAuthStoreResult.QuotaExceeded));
    }

    [Test]
    public async Task A_client_holds_two_secrets_at_most_and_loses_one_on_removal()
    {
        await AddAsync(Client("c1"));
        var second = new OAuthClientSecretRecord("s2", "h2", Created, Created.AddDays(30));

        Assert.That(await Store.AddSecretAsync("c1", second, CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await Store.AddSecretAsync("c1", new OAuthClientSecretRecord("s3", "h3", Created, null), CancellationToken.None),
            Is.EqualTo(OAuthStoreResult.QuotaExceeded));
        Assert.That(await Store.RemoveSecretAsync("c1", "s1", CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await Store.RemoveSecretAsync("c1", "s1", CancellationToken.None), Is.EqualTo(OAuthStoreResult.NotFound));
        Assert.That((await Store.FindByIdAsync("c1", CancellationToken.None))!.Secrets, Is.EqualTo(new[] { second }));
    }

    [Test]
    public async Task A_hash_is_replaced_only_if_it_is_still_the_one_verified()
    {
        await AddAsync(Client("c1"));
        var stored = (await Store.FindByIdAsync("c1", CancellationToken.None))!.Secrets[0].Hash;

        Assert.That(await Store.ReplaceSecretHashAsync("c1", "s1", "not-it", "new", CancellationToken.None), Is.EqualTo(OAuthStoreResult.Conflict));
        Assert.That(await Store.ReplaceSecretHashAsync("c1", "s1", stored, "new", CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That((await Store.FindByIdAsync("c1", CancellationToken.None))!.Secrets[0].Hash, Is.EqualTo("new"));
    }

    [Test]
    public async Task Status_records_who_revoked_and_clears_it_on_reinstatement()
    {
        await AddAsync(Client("c1"));

        await Store.SetStatusAsync("c1", OAuthClientStatus.Inactive, "user:admin", CancellationToken.None);
        var revoked = await Store.FindByIdAsync("c1", CancellationToken.None);
        await Store.SetStatusAsync("c1", OAuthClientStatus.Active, null, CancellationToken.None);
        var reinstated = await Store.FindByIdAsync("c1", CancellationToken.None);

        Assert.That(revoked!.Status, Is.EqualTo(OAuthClientStatus.Inactive));
        Assert.That(revoked.RevokedBy, Is.EqualTo("user:admin"));
        Assert.That(reinstated!.Status, Is.EqualTo(OAuthClientStatus.Active));
        Assert.That(reinstated.RevokedBy, Is.Null);
        Assert.That(await Store.SetStatusAsync("nope", OAuthClientStatus.Inactive, "x", CancellationToken.None), Is.EqualTo(OAuthStoreResult.NotFound));
    }

    [Test]
    public async Task Lists_page_by_id_and_filter_by_team_and_deleted_clients_are_gone()
    {
        for (var i = 0; i < 5; i++)
        {
            await AddAsync(Client($"c{i}", $"n{i}", team: i % 2 == 0 ? "t1" : "t2"));
        }

        var first = await Store.ListAsync(new OAuthClientQuery { PageSize = 2 }, CancellationToken.None);
        var next = await Store.ListAsync(new OAuthClientQuery { PageSize = 2, AfterId = first.Items[^1].Id }, CancellationToken.None);
        var team = await Store.ListAsync(new OAuthClientQuery { TeamId = "t2" }, CancellationToken.None);
        Assert.That(await Store.DeleteAsync("c0", CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));

        Assert.Multiple(async () =>
        {
            Assert.That(first.Items.Select(c => c.Id), Is.EqualTo(new[] { "c0", "c1" }));
            Assert.That(first.HasMore, Is.True);
            Assert.That(next.Items.Select(c => c.Id), Is.EqualTo(new[] { "c2", "c3" }));
            Assert.That(team.Items.Select(c => c.Id), Is.EqualTo(new[] { "c1", "c3" }));
            Assert.That(team.HasMore, Is.False);
            Assert.That(await Store.FindByIdAsync("c0", CancellationToken.None), Is.Null);
            Assert.That(await Store.DeleteAsync("c0", CancellationToken.None), Is.EqualTo(OAuthStoreResult.NotFound));
        });
    }

    [Test]
    public async Task Last_use_only_moves_forward()
    {
        await AddAsync(Client("c1"));
        var later = Created.AddHours(2);

        await Store.RecordLastUseAsync(new Dictionary<string, DateTimeOffset> { ["c1"] = later, ["unknown"] = later }, CancellationToken.None);
        await Store.RecordLastUseAsync(new Dictionary<string, DateTimeOffset> { ["c1"] = Created.AddHours(1) }, CancellationToken.None);

        Assert.That((await Store.FindByIdAsync("c1", CancellationToken.None))!.LastUsedAt, Is.EqualTo(later));
    }
}

/// <summary>The behaviour every <see cref="ISigningKeyStore"/>, <see cref="ITokenRevocationStore"/> and <see cref="IVezaSettingsStore"/> must have.</summary>
public abstract class OAuthServerStoresContract
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<(ISigningKeyStore Keys, ITokenRevocationStore Revocations, IVezaSettingsStore Settings)> CreateStoresAsync();

    protected virtual Task DisposeStoresAsync() => Task.CompletedTask;

    [TearDown]
    public Task DisposeAsync() => DisposeStoresAsync();

    private static SigningKeyRecord Key(string id, DateTimeOffset unpublish) => new()
    {
        Id = id,
        Algorithm = "RS256",
        ProtectedPrivateKey = [1, 2, 3],
        PublishedAt = Now.AddDays(-1),
        SignsFrom = Now.AddDays(-1),
        SignsUntil = Now.AddDays(1),
        UnpublishAt = unpublish,
    };

    [Test]
    public async Task Signing_keys_are_added_once_listed_and_pruned_after_they_leave_jwks()
    {
        var (keys, _, _) = await CreateStoresAsync();

        Assert.That(await keys.AddAsync(Key("k1", Now.AddDays(2)), CancellationToken.None), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await keys.AddAsync(Key("k1", Now.AddDays(2)), CancellationToken.None), Is.EqualTo(OAuthStoreResult.Conflict));
        await keys.AddAsync(Key("k2", Now.AddMinutes(-1)), CancellationToken.None);
        var pruned = await keys.PruneAsync(Now, CancellationToken.None);
        var left = await keys.ListAsync(CancellationToken.None);

        Assert.That(pruned, Is.EqualTo(1));
        Assert.That(left.Select(k => k.Id), Is.EqualTo(new[] { "k1" }));
        Assert.That(left[0].ProtectedPrivateKey, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Revocations_are_listed_without_expired_ones_and_pruned()
    {
        var (_, revocations, _) = await CreateStoresAsync();
        await revocations.AddAsync(new RevokedTokenRecord("j1", "c1", Now.AddMinutes(10), Now.AddMinutes(-5)), CancellationToken.None);
        await revocations.AddAsync(new RevokedTokenRecord("j2", "c1", Now.AddMinutes(10), Now), CancellationToken.None);
        await revocations.AddAsync(new RevokedTokenRecord("j2", "c1", Now.AddMinutes(10), Now), CancellationToken.None);
        await revocations.AddAsync(new RevokedTokenRecord("j3", "c1", Now.AddMinutes(-1), Now.AddMinutes(-20)), CancellationToken.None);

        var all = await revocations.ListAsync(Now, CancellationToken.None);
        var pruned = await revocations.PruneAsync(Now, CancellationToken.None);

        Assert.That(all.Select(r => r.TokenId).Order(), Is.EqualTo(new[] { "j1", "j2" }));
        Assert.That(pruned, Is.EqualTo(1));
    }

    [Test]
    public async Task Settings_start_off_and_change_only_from_the_version_they_were_read_at()
    {
        var (_, _, settings) = await CreateStoresAsync();
        var initial = await settings.GetAsync(CancellationToken.None);

        var first = await settings.UpdateAsync(initial with { OAuth2Enabled = true }, initial.Version, CancellationToken.None);
        var stale = await settings.UpdateAsync(initial with { OAuth2Enabled = false }, initial.Version, CancellationToken.None);
        var now = await settings.GetAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(initial.OAuth2Enabled, Is.False);
            Assert.That(first, Is.EqualTo(OAuthStoreResult.Success));
            Assert.That(stale, Is.EqualTo(OAuthStoreResult.Conflict));
            Assert.That(now.OAuth2Enabled, Is.True);
            Assert.That(now.Version, Is.EqualTo(initial.Version + 1));
        });
    }
}
