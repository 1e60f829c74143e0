using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>
/// The behaviour every <see cref="IApiKeyStore"/> must have. Derive a fixture per implementation and supply a
/// fresh, empty store from <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract partial class ApiKeyStoreContract
{
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    protected IApiKeyStore Store { get; private set; } = null!;

    protected abstract Task<IApiKeyStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    [SetUp]
    public async Task CreateAsync() => Store = await CreateStoreAsync();

    [TearDown]
    public Task DisposeAsync() => DisposeStoreAsync();

    private static ApiKeyRecord Key(string id, string name = "key", string team = "t1", string? owner = null, ApiKeyKind? kind = null) => new()
    {
        Id = id,
        Kind = kind ?? (owner is null ? ApiKeyKind.Team : ApiKeyKind.Personal),
        Name = name,
        TeamId = team,
        OwnerUserId = owner,
        CreatedByUserId = owner ?? "admin",
        SecretHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        Status = ApiKeyStatus.Active,
        CreatedAt = Created,
        LastAccessAt = Created,
    };

    private static string Id(int n) => $"id{n:D14}";

    private ValueTask<ApiKeyStoreResult> AddAsync(ApiKeyRecord key) => Store.CreateAsync(key, null, CancellationToken.None);

    [Test]
    public async Task Created_key_is_found_by_id_with_every_field_intact()
    {
        var key = Key(Id(1), owner: "u1");
        Assert.That(await AddAsync(key), Is.EqualTo(ApiKeyStoreResult.Success));

        var found = await Store.FindByIdAsync(Id(1), CancellationToken.None);

        Assert.That(found, Is.EqualTo(key));
    }

    [Test]
    public async Task The_quota_is_counted_per_kind_and_scope_in_the_same_operation_as_the_write()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await Store.CreateAsync(Key(Id(100 + i), name: "k" + i, owner: "u1"), 5, CancellationToken.None))));
        var otherOwner = await Store.CreateAsync(Key(Id(200), owner: "u2"), 5, CancellationToken.None);
        var otherTeam = await Store.CreateAsync(Key(Id(201), team: "t2", owner: "u1"), 5, CancellationToken.None);
        var teamKey = await Store.CreateAsync(Key(Id(202), name: "team"), 5, CancellationToken.None);
        var unlimited = await Store.CreateAsync(Key(Id(203), name: "imported", owner: "u1"), null, CancellationToken.None);

        Assert.That(results.Count(r => r == ApiKeyStoreResult.Success), Is.EqualTo(5));
        Assert.That(results.Count(r => r == ApiKeyStoreResult.QuotaExceeded), Is.EqualTo(35));
        Assert.That((otherOwner, otherTeam, teamKey, unlimited), Is.EqualTo((ApiKeyStoreResult.Success, ApiKeyStoreResult.Success,
            ApiKeyStoreResult.Success, ApiKeyStoreResult.Success)));
    }

    [Test]
    public async Task Unknown_id_is_not_found()
        => Assert.That(await Store.FindByIdAsync(Id(9), CancellationToken.None), Is.Null);

    [Test]
    public async Task Creating_a_taken_id_is_a_conflict_and_keeps_the_original()
    {
        await AddAsync(Key(Id(1), "first"));

        Assert.That(await AddAsync(Key(Id(1), "second")), Is.EqualTo(ApiKeyStoreResult.Conflict));
        Assert.That((await Store.FindByIdAsync(Id(1), CancellationToken.None))!.Name, Is.EqualTo("first"));
    }

    [Test]
    public async Task Team_key_names_are_unique_per_team_ignoring_case()
    {
        await AddAsync(Key(Id(1), "push", "t1"));

        Assert.That(await AddAsync(Key(Id(2), "PUSH", "t1")), Is.EqualTo(ApiKeyStoreResult.DuplicateName));
        Assert.That(await AddAsync(Key(Id(3), "push", "t2")), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await Store.FindByIdAsync(Id(2), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Personal_key_names_are_unique_per_owner_and_team()
    {
        await AddAsync(Key(Id(1), "cli", "t1", "u1"));

        Assert.That(await AddAsync(Key(Id(2), "cli", "t1", "u1")), Is.EqualTo(ApiKeyStoreResult.DuplicateName));
        Assert.That(await AddAsync(Key(Id(3), "cli", "t1", "u2")), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await AddAsync(Key(Id(4), "cli", "t2", "u1")), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await AddAsync(Key(Id(5), "cli", "t1")), Is.EqualTo(ApiKeyStoreResult.Success), "team keys are a separate scope");
    }

    [Test]
    public async Task Rename_changes_the_name_and_refuses_a_taken_one()
    {
        await AddAsync(Key(Id(1), "a"));
        await AddAsync(Key(Id(2), "b"));

        Assert.That(await Store.RenameAsync(Id(1), "c", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await Store.RenameAsync(Id(2), "C", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.DuplicateName));
        Assert.That(await Store.RenameAsync(Id(2), "B", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success), "a key may change the case of its own name");
        Assert.That(await Store.RenameAsync(Id(9), "x", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.NotFound));
        Assert.That((await Store.FindByIdAsync(Id(1), CancellationToken.None))!.Name, Is.EqualTo("c"));
    }

    [Test]
    public async Task Revoke_records_who_did_it_and_unknown_ids_are_not_found()
    {
        await AddAsync(Key(Id(1)));

        Assert.That(await Store.RevokeAsync(Id(1), "user:a", ApiKeyAuthority.TeamAdmin, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));
        var revoked = (await Store.FindByIdAsync(Id(1), CancellationToken.None))!;
        Assert.That((revoked.Status, revoked.RevokedBy, revoked.RevokedAuthority),
            Is.EqualTo((ApiKeyStatus.Inactive, "user:a", ApiKeyAuthority.TeamAdmin)));
        Assert.That(await Store.RevokeAsync(Id(9), "user:a", ApiKeyAuthority.Owner, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.NotFound));
        Assert.That(await Store.ReinstateAsync(Id(9), ApiKeyAuthority.Host, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.NotFound));
    }

    [Test]
    public async Task A_second_revoke_never_lowers_the_recorded_authority()
    {
        await AddAsync(Key(Id(1)));
        await Store.RevokeAsync(Id(1), "user:admin", ApiKeyAuthority.RootAdmin, CancellationToken.None);

        Assert.That(await Store.RevokeAsync(Id(1), "user:owner", ApiKeyAuthority.Owner, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));

        var key = (await Store.FindByIdAsync(Id(1), CancellationToken.None))!;
        Assert.That((key.RevokedBy, key.RevokedAuthority), Is.EqualTo(("user:admin", ApiKeyAuthority.RootAdmin)));
    }

    [Test]
    public async Task Reinstating_needs_at_least_the_authority_that_revoked()
    {
        await AddAsync(Key(Id(1)));
        await Store.RevokeAsync(Id(1), "user:admin", ApiKeyAuthority.TeamAdmin, CancellationToken.None);

        Assert.That(await Store.ReinstateAsync(Id(1), ApiKeyAuthority.Owner, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Outranked));
        Assert.That((await Store.FindByIdAsync(Id(1), CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Inactive));

        Assert.That(await Store.ReinstateAsync(Id(1), ApiKeyAuthority.TeamAdmin, CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));
        var key = (await Store.FindByIdAsync(Id(1), CancellationToken.None))!;
        Assert.That((key.Status, key.RevokedBy, key.RevokedAuthority), Is.EqualTo((ApiKeyStatus.Active, (string?)null, ApiKeyAuthority.None)));
    }

    [Test]
    public async Task Secret_hash_is_replaced_only_if_it_is_still_the_expected_one()
    {
        var key = Key(Id(1));
        await AddAsync(key);

        Assert.That(await Store.ReplaceSecretHashAsync(Id(1), "stale", "new", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Conflict));
        Assert.That(await Store.ReplaceSecretHashAsync(Id(1), key.SecretHash, "new", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That((await Store.FindByIdAsync(Id(1), CancellationToken.None))!.SecretHash, Is.EqualTo("new"));
        Assert.That(await Store.ReplaceSecretHashAsync(Id(9), "a", "b", CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.NotFound));
    }

    [Test]
    public async Task Deleted_key_is_gone_and_deleting_again_is_not_found()
    {
        await AddAsync(Key(Id(1)));

        Assert.That(await Store.DeleteAsync(Id(1), CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await Store.FindByIdAsync(Id(1), CancellationToken.None), Is.Null);
        Assert.That(await Store.DeleteAsync(Id(1), CancellationToken.None), Is.EqualTo(ApiKeyStoreResult.NotFound));
    }

    [Test]
    public async Task Deleting_personal_keys_by_owner_and_team_touches_nothing_else()
    {
        await AddAsync(Key(Id(1), "a", "t1", "u1"));
        await AddAsync(Key(Id(2), "b", "t2", "u1"));
        await AddAsync(Key(Id(3), "c", "t1", "u2"));
        await AddAsync(Key(Id(4), "d", "t1"));

        var inTeam = await Store.DeletePersonalKeysAsync("u1", "t1", CancellationToken.None);
        Assert.That(inTeam, Is.EqualTo(new[] { Id(1) }));

        await AddAsync(Key(Id(5), "e", "t3", "u1"));
        var all = await Store.DeletePersonalKeysAsync("u1", null, CancellationToken.None);
        Assert.That(all, Is.EquivalentTo(new[] { Id(2), Id(5) }));

        var left = await Store.ListAsync(new ApiKeyQuery(), CancellationToken.None);
        Assert.That(left.Items.Select(k => k.Id), Is.EqualTo(new[] { Id(3), Id(4) }));
    }

    [Test]
    public async Task List_filters_combine_and_results_are_ordered_by_id()
    {
        await AddAsync(Key(Id(3), "a", "t1", "u1"));
        await AddAsync(Key(Id(1), "b", "t1", "u2"));
        await AddAsync(Key(Id(2), "c", "t2", "u1"));
        await AddAsync(Key(Id(4), "d", "t1"));
        await Store.RevokeAsync(Id(1), "system", ApiKeyAuthority.Host, CancellationToken.None);

        async Task<string[]> Ids(ApiKeyQuery q) => (await Store.ListAsync(q, CancellationToken.None)).Items.Select(k => k.Id).ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await Ids(new ApiKeyQuery()), Is.EqualTo(new[] { Id(1), Id(2), Id(3), Id(4) }));
            Assert.That(await Ids(new ApiKeyQuery { TeamId = "t1" }), Is.EqualTo(new[] { Id(1), Id(3), Id(4) }));
            Assert.That(await Ids(new ApiKeyQuery { Kind = ApiKeyKind.Personal, TeamId = "t1" }), Is.EqualTo(new[] { Id(1), Id(3) }));
            Assert.That(await Ids(new ApiKeyQuery { OwnerUserId = "u1" }), Is.EqualTo(new[] { Id(2), Id(3) }));
            Assert.That(await Ids(new ApiKeyQuery { Status = ApiKeyStatus.Inactive }), Is.EqualTo(new[] { Id(1) }));
            Assert.That(await Ids(new ApiKeyQuery { Name = "d", Kind = ApiKeyKind.Team }), Is.EqualTo(new[] { Id(4) }));
            Assert.That(await Ids(new ApiKeyQuery { TeamId = "t9" }), Is.Empty);
        });
    }

    [Test]
    public async Task List_pages_with_after_id_and_says_whether_more_match()
    {
        for (var i = 1; i <= 5; i++)
        {
            await AddAsync(Key(Id(i), $"k{i}"));
        }

        var first = await Store.ListAsync(new ApiKeyQuery { PageSize = 2 }, CancellationToken.None);
        var second = await Store.ListAsync(new ApiKeyQuery { PageSize = 2, AfterId = first.Items[^1].Id }, CancellationToken.None);
        var last = await Store.ListAsync(new ApiKeyQuery { PageSize = 2, AfterId = second.Items[^1].Id }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(k => k.Id), Is.EqualTo(new[] { Id(1), Id(2) }));
            Assert.That(first.HasMore, Is.True);
            Assert.That(second.Items.Select(k => k.Id), Is.EqualTo(new[] { Id(3), Id(4) }));
            Assert.That(last.Items.Select(k => k.Id), Is.EqualTo(new[] { Id(5) }));
            Assert.That(last.HasMore, Is.False);
        });
    }

    [Test]
    public async Task Last_access_only_moves_forward_and_skips_unknown_ids()
    {
        await AddAsync(Key(Id(1), "one"));
        await AddAsync(Key(Id(2), "two"));
        var later = Created.AddMinutes(5);

        await Store.RecordLastAccessAsync(new Dictionary<string, DateTimeOffset>
        {
            [Id(1)] = later,
            [Id(2)] = Created.AddMinutes(-5),
            [Id(9)] = later,
        }, CancellationToken.None);

        Assert.That((await Store.FindByIdAsync(Id(1), CancellationToken.None))!.LastAccessAt, Is.EqualTo(later));
        Assert.That((await Store.FindByIdAsync(Id(2), CancellationToken.None))!.LastAccessAt, Is.EqualTo(Created));
        Assert.That(await Store.FindByIdAsync(Id(9), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Concurrent_creates_with_one_name_store_exactly_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(async () => await AddAsync(Key(Id(i), "same")))));

        Assert.That(results.Count(r => r == ApiKeyStoreResult.Success), Is.EqualTo(1));
        Assert.That((await Store.ListAsync(new ApiKeyQuery(), CancellationToken.None)).Items, Has.Count.EqualTo(1));
    }
}
