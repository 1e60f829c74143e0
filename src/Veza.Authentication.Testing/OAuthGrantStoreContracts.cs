using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>
/// The behaviour every <see cref="IOAuthGrantStore"/> and <see cref="IOAuthConsentStore"/> must have: atomic code
/// redemption and refresh rotation above all. Derive a fixture per implementation.
/// </summary>
public abstract class OAuthGrantStoresContract
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    protected IOAuthGrantStore Grants { get; private set; } = null!;

    protected IOAuthConsentStore Consents { get; private set; } = null!;

    protected abstract Task<(IOAuthGrantStore Grants, IOAuthConsentStore Consents)> CreateStoresAsync();

    protected virtual Task DisposeStoresAsync() => Task.CompletedTask;

    [SetUp]
    public async Task CreateAsync() => (Grants, Consents) = await CreateStoresAsync();

    [TearDown]
    public Task DisposeAsync() => DisposeStoresAsync();

    private static AuthorizationCodeRecord Code(string hash, string grant, string app = "app1", string user = "u1", int expiresInSeconds = 60) => new()
    {
        Hash = hash,
        GrantId = grant,
        AppId = app,
        RedirectUri = "https://app.example.com/cb",
        CodeChallenge = new string('c', 43),
        UserId = user,
        TeamId = "t1",
        Scopes = ["graph:read", "offline_access"],
        ExpiresAt = Now.AddSeconds(expiresInSeconds),
    };

    private static RefreshTokenRecord Refresh(string hash, string grant, int expiresInDays = 14) => new()
    {
        Hash = hash,
        GrantId = grant,
        AppId = "app1",
        CreatedAt = Now,
        ExpiresAt = Now.AddDays(expiresInDays),
    };

    // A grant exists once its code is redeemed.
    private async Task StartGrantAsync(string grant, string app = "app1", string user = "u1")
    {
        Assert.That(await Grants.AddCodeAsync(Code("code-" + grant, grant, app, user), 10, Now, default), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That((await Grants.RedeemCodeAsync("code-" + grant, app, Now, Now.AddDays(30), default)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
    }

    [Test]
    public async Task A_code_is_stored_with_every_field_its_hash_is_never_reused_and_no_grant_exists_before_it_is_redeemed()
    {
        Assert.That(await Grants.AddCodeAsync(Code("h1", "g1"), 10, Now, default), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await Grants.AddCodeAsync(Code("h1", "g2"), 10, Now, default), Is.EqualTo(OAuthStoreResult.Conflict));

        var code = await Grants.FindCodeAsync("h1", Now, default);
        Assert.That(code, Is.Not.Null);
        Assert.That(code!.GrantId, Is.EqualTo("g1"));
        Assert.That(code.Scopes, Is.EqualTo(new[] { "graph:read", "offline_access" }));
        Assert.That(code.RedeemedAt, Is.Null);
        Assert.That(await Grants.FindGrantAsync("g1", default), Is.Null, "an unredeemed code is never counted as a grant");
    }

    [Test]
    public async Task Redeeming_a_code_starts_its_grant_once_and_a_second_redemption_reports_the_replay()
    {
        await Grants.AddCodeAsync(Code("h1", "g1"), 10, Now, default);

        var first = await Grants.RedeemCodeAsync("h1", "app1", Now, Now.AddDays(30), default);
        var second = await Grants.RedeemCodeAsync("h1", "app1", Now, Now.AddDays(30), default);
        var unknown = await Grants.RedeemCodeAsync("nope", "app1", Now, Now.AddDays(30), default);
        var grant = await Grants.FindGrantAsync("g1", default);

        Assert.That(first.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        Assert.That(first.Code!.RedirectUri, Is.EqualTo("https://app.example.com/cb"));
        Assert.That(second.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
        Assert.That(second.Code!.GrantId, Is.EqualTo("g1"));
        Assert.That(unknown.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
        Assert.That(grant, Is.Not.Null);
        Assert.That((grant!.AppId, grant.UserId, grant.TeamId, grant.CreatedAt, grant.ExpiresAt), Is.EqualTo(("app1", "u1", "t1", Now, Now.AddDays(30))));
        Assert.That(grant.Scopes, Is.EqualTo(new[] { "graph:read", "offline_access" }));
        Assert.That((await Grants.FindCodeAsync("h1", Now, default))!.RedeemedAt, Is.EqualTo(Now));
    }

    [Test]
    public async Task A_code_redeemed_by_another_app_or_after_it_expired_changes_nothing()
    {
        await Grants.AddCodeAsync(Code("h1", "g1"), 10, Now, default);

        var otherApp = await Grants.RedeemCodeAsync("h1", "app2", Now, Now.AddDays(30), default);
        var late = await Grants.RedeemCodeAsync("h1", "app1", Now.AddSeconds(60), Now.AddDays(30), default);

        Assert.That(otherApp.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
        Assert.That(late.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
        Assert.That(await Grants.FindGrantAsync("g1", default), Is.Null);
        Assert.That(await Grants.FindCodeAsync("h1", Now.AddSeconds(60), default), Is.Null, "an expired code is as if it did not exist");
        Assert.That((await Grants.RedeemCodeAsync("h1", "app1", Now, Now.AddDays(30), default)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed),
            "its own app can still redeem it in time");
    }

    [Test]
    public async Task Of_many_concurrent_redemptions_of_one_code_exactly_one_succeeds()
    {
        await Grants.AddCodeAsync(Code("h1", "g1"), 10, Now, default);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
            await Grants.RedeemCodeAsync("h1", "app1", Now, Now.AddDays(30), default))));

        Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.Redeemed), Is.EqualTo(1));
        Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.AlreadyRedeemed), Is.EqualTo(63));
    }

    [Test]
    public async Task A_user_holds_at_most_the_limit_of_pending_codes_per_app_and_a_new_one_replaces_the_oldest()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await Grants.AddCodeAsync(Code($"h{i}", $"g{i}") with { ExpiresAt = Now.AddSeconds(60 + i) }, 3, Now, default), Is.EqualTo(OAuthStoreResult.Success));
        }

        await Grants.AddCodeAsync(Code("other-app", "ga", app: "app2"), 3, Now, default);
        await Grants.AddCodeAsync(Code("other-user", "gu", user: "u2"), 3, Now, default);

        var kept = new List<string>();
        foreach (var hash in new[] { "h0", "h1", "h2", "h3", "h4" })
        {
            if (await Grants.FindCodeAsync(hash, Now, default) is not null)
            {
                kept.Add(hash);
            }
        }

        Assert.That(kept, Is.EqualTo(new[] { "h2", "h3", "h4" }));
        Assert.That(await Grants.FindCodeAsync("other-app", Now, default), Is.Not.Null, "another app's codes are not counted");
        Assert.That(await Grants.FindCodeAsync("other-user", Now, default), Is.Not.Null, "another user's codes are not counted");
    }

    [Test]
    public async Task Redeemed_codes_do_not_count_against_the_pending_limit()
    {
        await Grants.AddCodeAsync(Code("h1", "g1"), 2, Now, default);
        await Grants.RedeemCodeAsync("h1", "app1", Now, Now.AddDays(30), default);
        await Grants.AddCodeAsync(Code("h2", "g2"), 2, Now, default);
        await Grants.AddCodeAsync(Code("h3", "g3"), 2, Now, default);

        Assert.That(await Grants.FindCodeAsync("h2", Now, default), Is.Not.Null);
        Assert.That(await Grants.FindCodeAsync("h3", Now, default), Is.Not.Null);
        Assert.That((await Grants.FindCodeAsync("h1", Now, default))!.RedeemedAt, Is.Not.Null, "kept for replay detection while it lives");
    }

    [Test]
    public async Task A_refresh_token_rotates_once_and_concurrent_rotations_of_it_leave_one_successor()
    {
        await StartGrantAsync("g1");
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
        await StartGrantAsync("g1", "a1", "u1");
        await StartGrantAsync("g2", "a1", "u2");
        await StartGrantAsync("g3", "a2", "u1");
        await StartGrantAsync("g4", "a1", "u1");

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
    public async Task Revoking_an_apps_grants_for_a_user_removes_their_pending_codes_of_that_app_too()
    {
        await Grants.AddCodeAsync(Code("mine", "g1", app: "a1", user: "u1"), 10, Now, default);
        await Grants.AddCodeAsync(Code("other-user", "g2", app: "a1", user: "u2"), 10, Now, default);
        await Grants.AddCodeAsync(Code("other-app", "g3", app: "a2", user: "u1"), 10, Now, default);

        await Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "a1", UserId = "u1" }, Now, default);

        Assert.That(await Grants.FindCodeAsync("mine", Now, default), Is.Null);
        Assert.That((await Grants.RedeemCodeAsync("mine", "a1", Now, Now.AddDays(30), default)).Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
        Assert.That(await Grants.FindCodeAsync("other-user", Now, default), Is.Not.Null);
        Assert.That(await Grants.FindCodeAsync("other-app", Now, default), Is.Not.Null);

        await Grants.RevokeGrantsAsync(new OAuthGrantFilter { AppId = "a1" }, Now, default);
        Assert.That(await Grants.FindCodeAsync("other-user", Now, default), Is.Null, "revoking the app's grants removes every user's pending code");
    }

    [Test]
    public async Task Pruning_removes_expired_codes_and_refresh_tokens_and_grants_past_their_end_with_theirs()
    {
        await StartGrantAsync("g1");
        await Grants.AddRefreshTokenAsync(Refresh("r1", "g1"), default);
        await Grants.AddRefreshTokenAsync(Refresh("r-short", "g1", expiresInDays: 1), default);
        await Grants.AddCodeAsync(Code("h2", "g2"), 10, Now, default);
        await Grants.AddCodeAsync(Code("h2b", "g2b", user: "u2") with { ExpiresAt = Now.AddDays(40) }, 10, Now, default);
        await Grants.RedeemCodeAsync("h2b", "app1", Now, Now.AddDays(60), default);

        var early = await Grants.PruneAsync(Now.AddDays(2), default);
        var codeGone = await Grants.FindCodeAsync("h2", Now, default);
        var shortGone = await Grants.FindRefreshTokenAsync("r-short", default);
        var late = await Grants.PruneAsync(Now.AddDays(31), default);

        Assert.That(early, Is.Zero);
        Assert.That(codeGone, Is.Null, "an unredeemed code is gone once it expires");
        Assert.That(shortGone, Is.Null);
        Assert.That(late, Is.EqualTo(1));
        Assert.That(await Grants.FindGrantAsync("g1", default), Is.Null);
        Assert.That(await Grants.FindRefreshTokenAsync("r1", default), Is.Null);
        Assert.That(await Grants.FindGrantAsync("g2b", default), Is.Not.Null);
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
