using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>
/// The behaviour every <see cref="IVezaChangeFeed"/> and the stores that append to it must have: each change that
/// instances may remember appends one entry naming it, in the same operation; a refused change or a hash upgrade
/// appends nothing; sequences follow commit order, even with many writers at once; pruning says how far it went.
/// Derive a fixture per implementation and supply fresh, empty stores sharing one feed.
/// </summary>
public abstract class VezaChangeFeedContract
{
    private static readonly DateTimeOffset Now = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private const string Hash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

    /// <summary>The stores under test.</summary>
    protected VezaStoreSet Stores { get; private set; } = null!;

    /// <summary>Creates fresh, empty stores that share one feed.</summary>
    /// <returns>The stores.</returns>
    protected abstract Task<VezaStoreSet> CreateStoresAsync();

    /// <summary>Releases what <see cref="CreateStoresAsync"/> made.</summary>
    /// <returns>A task.</returns>
    protected virtual Task DisposeStoresAsync() => Task.CompletedTask;

    /// <summary>Creates the stores.</summary>
    /// <returns>A task.</returns>
    [SetUp]
    public async Task CreateAsync() => Stores = await CreateStoresAsync();

    /// <summary>Releases the stores.</summary>
    /// <returns>A task.</returns>
    [TearDown]
    public Task DisposeAsync() => DisposeStoresAsync();

    private static ApiKeyRecord Key(string id, string owner = "u1") => new()
    {
        Id = id,
        Kind = ApiKeyKind.Personal,
        Name = "key " + id,
        TeamId = "t1",
        OwnerUserId = owner,
        CreatedByUserId = owner,
        SecretHash = Hash,
        Status = ApiKeyStatus.Active,
        CreatedAt = Now,
    };

    private static OAuthClientRecord Client(string id) => new()
    {
        Id = id,
        Name = "client " + id,
        TeamId = "t1",
        Role = "operator",
        AllowedScopes = ["graph:read"],
        AccessTokenLifetime = TimeSpan.FromMinutes(15),
        Secrets = [new OAuthClientSecretRecord("s1", Hash, Now, null)],
        CreatedBy = "user:admin",
        CreatedAt = Now,
    };

    private async Task<long> LastAsync() => await Stores.Changes.GetLastSequenceAsync(default);

    private async Task<IReadOnlyList<VezaChange>> AfterAsync(long sequence) => (await Stores.Changes.ReadAsync(sequence, 10_000, default)).Changes;

    private static void AssertEntries(IReadOnlyList<VezaChange> entries, params (VezaChangeKind Kind, string Id)[] expected)
    {
        Assert.That(entries.Select(e => (e.Kind, e.Id)), Is.EqualTo(expected));
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.That(entries[i].Sequence, Is.GreaterThan(entries[i - 1].Sequence), "sequences must increase");
        }
    }

    /// <summary>Renaming, revoking, reinstating and deleting a key each append one entry naming it.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Each_change_to_a_key_appends_one_entry_that_names_it()
    {
        await Stores.ApiKeys.CreateAsync(Key("k1"), null, default);
        await Stores.ApiKeys.CreateAsync(Key("k2", owner: "u2"), null, default);
        var start = await LastAsync();

        await Stores.ApiKeys.RenameAsync("k1", "renamed", default);
        await Stores.ApiKeys.RevokeAsync("k1", "user:u1", ApiKeyAuthority.Owner, default);
        await Stores.ApiKeys.ReinstateAsync("k1", ApiKeyAuthority.Owner, default);
        await Stores.ApiKeys.DeleteAsync("k1", default);
        await Stores.ApiKeys.DeletePersonalKeysAsync("u2", null, default);

        AssertEntries(await AfterAsync(start),
            (VezaChangeKind.ApiKey, "k1"), (VezaChangeKind.ApiKey, "k1"), (VezaChangeKind.ApiKey, "k1"), (VezaChangeKind.ApiKey, "k1"),
            (VezaChangeKind.ApiKey, "k2"));
    }

    /// <summary>A change the store refuses, and a stronger hash of the same secret, append nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task A_refused_change_or_a_hash_upgrade_appends_nothing()
    {
        await Stores.ApiKeys.CreateAsync(Key("k1"), null, default);
        await Stores.Clients.CreateAsync(Client("c1"), 50, default);
        var start = await LastAsync();

        await Stores.ApiKeys.RenameAsync("missing", "x", default);
        await Stores.ApiKeys.DeleteAsync("missing", default);
        await Stores.ApiKeys.ReplaceSecretHashAsync("k1", Hash, Hash + "x", default);
        await Stores.Clients.SetStatusAsync("missing", OAuthClientStatus.Inactive, "user:admin", default);
        await Stores.Clients.ReplaceSecretHashAsync("c1", "s1", Hash, Hash + "x", default);
        await Stores.Revocations.AddAsync(new RevokedTokenRecord("j1", "c1", Now.AddMinutes(5), Now), default);
        await Stores.Revocations.AddAsync(new RevokedTokenRecord("j1", "c1", Now.AddMinutes(5), Now), default);

        AssertEntries(await AfterAsync(start), (VezaChangeKind.RevokedToken, "j1"));
    }

    /// <summary>A client's status, secrets, name and deletion each append one entry naming it.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Each_change_to_a_client_appends_one_entry_that_names_it()
    {
        await Stores.Clients.CreateAsync(Client("c1"), 50, default);
        var start = await LastAsync();

        await Stores.Clients.SetStatusAsync("c1", OAuthClientStatus.Inactive, "user:admin", default);
        await Stores.Clients.SetStatusAsync("c1", OAuthClientStatus.Active, null, default);
        await Stores.Clients.AddSecretAsync("c1", new OAuthClientSecretRecord("s2", Hash, Now, null), default);
        await Stores.Clients.RemoveSecretAsync("c1", "s1", default);
        await Stores.Clients.RenameAsync("c1", "renamed", default);
        await Stores.Clients.DeleteAsync("c1", default);

        AssertEntries(await AfterAsync(start), Enumerable.Repeat((VezaChangeKind.Client, "c1"), 6).ToArray());
    }

    /// <summary>Revoking an app's grants appends one entry per grant revoked, and none for a grant already revoked.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Revoking_grants_appends_one_entry_per_grant_revoked()
    {
        foreach (var (grant, user) in new[] { ("g1", "u1"), ("g2", "u2") })
        {
            await Stores.Grants.AddCodeAsync(new AuthorizationCodeRecord
            {
                Hash = "code-" + grant,
                GrantId = grant,
                AppId = "app1",
                RedirectUri = "https://app.example.com/cb",
                CodeChallenge = new string('c', 43),
                UserId = user,
                TeamId = "t1",
                Scopes = ["graph:read"],
                ExpiresAt = Now.AddSeconds(60),
            }, 10, Now, default);
            await Stores.Grants.RedeemCodeAsync("code-" + grant, "app1", Now, Now.AddDays(30), default);
        }

        var start = await LastAsync();
        await Stores.Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "app1", UserId = "u1" }, Now, default);
        await Stores.Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "app1" }, Now, default);

        AssertEntries(await AfterAsync(start), (VezaChangeKind.Grant, "g1"), (VezaChangeKind.Grant, "g2"));
    }

    /// <summary>Token revocations, the settings and signing keys append entries too.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Token_revocations_settings_and_signing_keys_append_entries()
    {
        var start = await LastAsync();
        await Stores.Revocations.AddAsync(new RevokedTokenRecord("j1", "c1", Now.AddMinutes(5), Now), default);
        var settings = await Stores.Settings.GetAsync(default);
        await Stores.Settings.UpdateAsync(settings with { OAuth2Enabled = true }, settings.Version, default);
        await Stores.Settings.UpdateAsync(settings with { OAuth2Enabled = false }, settings.Version, default);
        await Stores.SigningKeys.AddAsync(new SigningKeyRecord
        {
            Id = "kid1",
            Algorithm = "RS256",
            ProtectedPrivateKey = [1, 2, 3],
            PublishedAt = Now,
            SignsFrom = Now,
            SignsUntil = Now.AddDays(1),
            UnpublishAt = Now.AddDays(2),
        }, default);
        await Stores.SigningKeys.PruneAsync(Now.AddDays(3), default);

        AssertEntries(await AfterAsync(start),
            (VezaChangeKind.RevokedToken, "j1"), (VezaChangeKind.Settings, string.Empty), (VezaChangeKind.SigningKeys, "kid1"), (VezaChangeKind.SigningKeys, "kid1"));
    }

    /// <summary>Reads return the entries after a position, oldest first, a page at a time.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Reads_return_the_entries_after_a_position_in_order_a_page_at_a_time()
    {
        await Stores.ApiKeys.CreateAsync(Key("k1"), null, default);
        var start = await LastAsync();
        for (var i = 0; i < 5; i++)
        {
            await Stores.ApiKeys.RenameAsync("k1", "name " + i, default);
        }

        var first = await Stores.Changes.ReadAsync(start, 2, default);
        var rest = await Stores.Changes.ReadAsync(first.Changes[^1].Sequence, 10, default);
        var none = await Stores.Changes.ReadAsync(await LastAsync(), 10, default);

        Assert.That(first.Changes, Has.Count.EqualTo(2));
        Assert.That(rest.Changes, Has.Count.EqualTo(3));
        Assert.That(first.Changes.Concat(rest.Changes).Select(c => c.Sequence), Is.Ordered.Ascending);
        Assert.That(rest.Changes[^1].Sequence, Is.EqualTo(await LastAsync()));
        Assert.That(none.Changes, Is.Empty);
    }

    /// <summary>Pruning removes entries recorded before a time and says how far it went; later entries stay.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Pruning_removes_old_entries_and_says_how_far_it_went()
    {
        await Stores.ApiKeys.CreateAsync(Key("k1"), null, default);
        await Stores.ApiKeys.RenameAsync("k1", "one", default);
        await Stores.ApiKeys.RenameAsync("k1", "two", default);
        var last = await LastAsync();

        var nothing = await Stores.Changes.PruneAsync(DateTimeOffset.UnixEpoch, default);
        var before = await Stores.Changes.ReadAsync(0, 100, default);
        var everything = await Stores.Changes.PruneAsync(DateTimeOffset.MaxValue, default);
        var after = await Stores.Changes.ReadAsync(0, 100, default);
        await Stores.ApiKeys.RenameAsync("k1", "three", default);
        var later = await Stores.Changes.ReadAsync(0, 100, default);

        Assert.That(nothing, Is.Zero);
        Assert.That(before.PrunedThrough, Is.LessThan(before.Changes[0].Sequence));
        Assert.That(everything, Is.EqualTo(before.Changes.Count));
        Assert.That(after.Changes, Is.Empty);
        Assert.That(after.PrunedThrough, Is.EqualTo(last));
        Assert.That(later.Changes.Select(c => c.Sequence), Is.EqualTo(new[] { later.Changes[0].Sequence }));
        Assert.That(later.Changes[0].Sequence, Is.GreaterThan(last));
    }

    /// <summary>
    /// With many writers at once, a reader that always asks for entries after the highest it has seen still sees every
    /// entry: none ever becomes visible behind one already read (a write that commits late is not lost).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task With_many_writers_at_once_a_reader_that_follows_the_feed_misses_no_entry()
    {
        const int Writers = 8;
        const int ChangesEach = 40;
        for (var w = 0; w < Writers; w++)
        {
            await Stores.ApiKeys.CreateAsync(Key("w" + w, owner: "u" + w), null, default);
        }

        var start = await LastAsync();
        var seen = new List<long>();
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var position = start;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await Stores.Changes.ReadAsync(position, 1000, default);
                foreach (var change in page.Changes)
                {
                    seen.Add(change.Sequence);
                    position = change.Sequence;
                }

                if (finished)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < ChangesEach; i++)
            {
                await Stores.ApiKeys.RenameAsync("w" + w, $"name {w} {i}", default);
            }
        })));
        await done.CancelAsync();
        await reader;

        var all = (await Stores.Changes.ReadAsync(start, 10_000, default)).Changes;
        Assert.That(all, Has.Count.EqualTo(Writers * ChangesEach));
        Assert.That(seen, Is.EqualTo(all.Select(c => c.Sequence)), "the follower saw exactly the entries, each once, in order");
    }
}
