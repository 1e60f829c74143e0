using Veza.Authentication.Stores;

namespace Veza.Authentication.Tests.Stores;

/// <summary>
/// The behaviour every <see cref="IOAuthGrantStore"/> and <see cref="IOAuthConsentStore"/> must have: atomic code
/// redemption and refresh rotation above all. Derive a fixture per implementation.
/// </summary>
public abstract class OAuthGrantStoresContract
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    protected IOAuthGrantStore Grants { get; private set; } = null!;

    protected IOAuthConsentStore Consents { get; private set; } = null!;

    protected abstract (IOAuthGrantStore Grants, IOAuthConsentStore Consents) CreateStores();

    [SetUp]
    public void Create() => (Grants, Consents) = CreateStores();

    private static OAuthGrantRecord Grant(string id, string app = "app1", string user = "u1") => new()
    {
        Id = id,
        AppId = app,
        UserId = user,
        TeamId = "t1",
        Scopes = ["graph:read", "offline_access"],
        CreatedAt = Now,
        ExpiresAt = Now.AddDays(30),
    };

    private static AuthorizationCodeRecord Code(string hash, string grant) => new()
    {
        Hash = hash,
        GrantId = grant,
        AppId = "app1",
        RedirectUri = "https://app.example.com/cb",
        CodeChallenge = new string('c', 43),
        UserId = "u1",
        TeamId = "t1",
        Scopes = ["graph:read"],
        ExpiresAt = Now.AddSeconds(60),
    };

    private static RefreshTokenRecord Refresh(string hash, string grant) => new()
    {
        Hash = hash,
        GrantId = grant,
        AppId = "app1",
        CreatedAt = Now,
        ExpiresAt = Now.AddDays(14),
    };

    [Test]
    public async Task A_grant_and_its_code_are_stored_with_every_field_and_an_id_or_hash_is_never_reused()
    {
        Assert.That(await Grants.CreateAsync(Grant("g1"), Code("h1", "g1"), default), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await Grants.CreateAsync(Grant("g1"), Code("h2", "g1"), default), Is.EqualTo(OAuthStoreResult.Conflict));
        Assert.That(await Grants.CreateAsync(Grant("g2"), Code("h1", "g2"), default), Is.EqualTo(OAuthStoreResult.Conflict));

        var grant = await Grants.FindGrantAsync("g1", default);
        Assert.That(grant, Is.Not.Null);
        Assert.That(grant!.Scopes, Is.EqualTo(new[] { "graph:read", "offline_access" }));
        Assert.That(grant.ExpiresAt, Is.EqualTo(Now.AddDays(30)));
        Assert.That(await Grants.FindGrantAsync("g2", default), Is.Null, "nothing of a refused write is kept");
    }

    [Test]
    public async Task A_code_is_redeemed_once_and_a_second_redemption_reports_the_replay_with_its_grant()
    {
        await Grants.CreateAsync(Grant("g1"), Code("h1", "g1"), default);

        var first = await Grants.RedeemCodeAsync("h1", Now, default);
        var second = await Grants.RedeemCodeAsync("h1", Now, default);
        var unknown = await Grants.RedeemCodeAsync("nope", Now, default);

        Assert.That(first.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        Assert.That(first.Code!.RedirectUri, Is.EqualTo("https://app.example.com/cb"));
        Assert.That(second.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
        Assert.That(second.Code!.GrantId, Is.EqualTo("g1"));
        Assert.That(unknown.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
    }

    [Test]
    public async Task Of_many_concurrent_redemptions_of_one_code_exactly_one_succeeds()
    {
        await Grants.CreateAsync(Grant("g1"), Code("h1", "g1"), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await Grants.RedeemCodeAsync("h1", Now, default))));

        Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.Redeemed), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refresh_token_rotates_once_and_concurrent_rotations_of_it_leave_one_successor()
    {
        await Grants.CreateAsync(Grant("g1"), Code("h1", "g1"), default);
        Assert.That(await Grants.AddRefreshTokenAsync(Refresh("r0", "g1"), default), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await Grants.AddRefreshTokenAsync(Refresh("r0", "g1"), default), Is.EqualTo(OAuthStoreResult.Conflict));
        Assert.That(await Grants.AddRefreshTokenAsync(Refresh("rx", "no-grant"), default), Is.EqualTo(OAuthStoreResult.NotFound));

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
            await Grants.RotateRefreshTokenAsync("r0", Refresh("r1-" + i, "g1"), Now, default))));
        var rotated = await Grants.FindRefreshTokenAsync("r0", default);

        Assert.That(results.Count(r => r == OAuthStoreResult.Success), Is.EqualTo(1));
        Assert.That(results.Count(r => r == OAuthStoreResult.Conflict), Is.EqualTo(31));
        Assert.That(rotated!.RotatedAt, Is.EqualTo(Now));
        Assert.That(await Grants.RotateRefreshTokenAsync("missing", Refresh("r2", "g1"), Now, default), Is.EqualTo(OAuthStoreResult.NotFound));
    }

    [Test]
    public async Task Grants_are_revoked_by_id_by_app_or_by_app_and_user_and_each_only_once()
    {
        await Grants.CreateAsync(Grant("g1", "a1", "u1"), Code("h1", "g1"), default);
        await Grants.CreateAsync(Grant("g2", "a1", "u2"), Code("h2", "g2"), default);
        await Grants.CreateAsync(Grant("g3", "a2", "u1"), Code("h3", "g3"), default);
        await Grants.CreateAsync(Grant("g4", "a1", "u1"), Code("h4", "g4"), default);

        var one = await Grants.RevokeGrantsAsync(new OAuthGrantFilter { GrantId = "g4" }, Now, default);
        var userOfApp = await Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "a1", UserId = "u1" }, Now, default);
        var app = await Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "a1" }, Now, default);

        Assert.That(one, Is.EqualTo(new[] { "g4" }));
        Assert.That(userOfApp, Is.EqualTo(new[] { "g1" }));
        Assert.That(app, Is.EqualTo(new[] { "g2" }));
        Assert.That((await Grants.FindGrantAsync("g3", default))!.RevokedAt, Is.Null, "another app's grant");
        Assert.That((await Grants.FindGrantAsync("g1", default))!.RevokedAt, Is.EqualTo(Now));
    }

    [Test]
    public async Task Pruning_removes_grants_past_their_end_with_their_codes_and_refresh_tokens()
    {
        await Grants.CreateAsync(Grant("g1"), Code("h1", "g1"), default);
        await Grants.AddRefreshTokenAsync(Refresh("r1", "g1"), default);
        await Grants.CreateAsync(Grant("g2") with { ExpiresAt = Now.AddDays(60) }, Code("h2", "g2"), default);

        var early = await Grants.PruneAsync(Now.AddDays(1), default);
        var late = await Grants.PruneAsync(Now.AddDays(31), default);

        Assert.That(early, Is.Zero);
        Assert.That(late, Is.EqualTo(1));
        Assert.That(await Grants.FindGrantAsync("g1", default), Is.Null);
        Assert.That(await Grants.FindRefreshTokenAsync("r1", default), Is.Null);
        Assert.That((await Grants.RedeemCodeAsync("h1", Now, default)).Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
        Assert.That(await Grants.FindGrantAsync("g2", default), Is.Not.Null);
    }

    [Test]
    public async Task Consents_are_kept_per_user_app_and_team_replaced_on_save_and_removed_per_user_or_app()
    {
        await Consents.SaveAsync(new OAuthConsentRecord("u1", "a1", "t1", ["graph:read"], Now), default);
        await Consents.SaveAsync(new OAuthConsentRecord("u1", "a1", "t1", ["graph:read", "users:read"], Now.AddMinutes(1)), default);
        await Consents.SaveAsync(new OAuthConsentRecord("u1", "a1", "t2", ["graph:read"], Now), default);
        await Consents.SaveAsync(new OAuthConsentRecord("u1", "a2", "t1", ["graph:read"], Now), default);
        await Consents.SaveAsync(new OAuthConsentRecord("u2", "a1", "t1", ["graph:read"], Now), default);

        var forApp = await Consents.ListAsync("u1", "a1", default);
        var all = await Consents.ListAsync("u1", null, default);
        var removedForUser = await Consents.RemoveAsync("u1", "a1", default);
        var removedForApp = await Consents.RemoveAsync(null, "a1", default);

        Assert.That(forApp.Select(c => c.TeamId), Is.EqualTo(new[] { "t1", "t2" }));
        Assert.That(forApp[0].Scopes, Is.EqualTo(new[] { "graph:read", "users:read" }));
        Assert.That(all.Select(c => c.AppId), Is.EqualTo(new[] { "a1", "a1", "a2" }));
        Assert.That(removedForUser, Is.EqualTo(2));
        Assert.That(removedForApp, Is.EqualTo(1), "u2's");
        Assert.That(await Consents.ListAsync("u1", null, default), Has.Count.EqualTo(1));
    }
}
