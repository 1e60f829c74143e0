using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// What a signed-in user, or another app, can make the grant store keep: codes that are never redeemed are not grants
/// and go away when they expire, a user holds a bounded number of pending codes per app, and a spent code in the hands
/// of another client changes nothing.
/// </summary>
[TestFixture]
public sealed class AuthorizationCodeLimitsTests
{
    private VezaTestHost _host = null!;
    private FakeTimeProvider _time = null!;
    private IOAuthGrantStore _store = null!;

    [SetUp]
    public async Task SetUp()
    {
        (_host, _time) = await StartOAuth2OnClockAsync();
        _store = _host.Services.GetRequiredService<IOAuthGrantStore>();
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    private static async Task<string> ErrorOf(HttpResponseMessage response) => (await ErrorAssertions.OAuthErrorOf(response)).Description;

    private Task<AuthorizationCodeRecord?> StoredAsync(string code, DateTimeOffset? at = null)
        => _store.FindCodeAsync(UserGrants.Hash(code), at ?? _time.GetUtcNow(), CancellationToken.None).AsTask();

    [Test]
    public async Task An_unredeemed_code_is_never_a_grant_and_is_gone_once_it_expires()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var issuedAt = _time.GetUtcNow();
        var code = await flow.AuthorizeAsync(app.Id);
        var stored = await StoredAsync(code);

        Assert.That(stored, Is.Not.Null);
        Assert.That(await _store.FindGrantAsync(stored!.GrantId, CancellationToken.None), Is.Null, "no grant until the code is redeemed");

        _time.Advance(TimeSpan.FromSeconds(61));
        await _store.PruneAsync(_time.GetUtcNow(), CancellationToken.None);

        Assert.That(await StoredAsync(code, issuedAt), Is.Null, "pruned, not merely expired");
        Assert.That(await _store.FindGrantAsync(stored.GrantId, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_user_who_authorizes_in_a_loop_holds_at_most_ten_pending_codes_per_app_and_the_newest_work()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var codes = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            codes.Add(await flow.AuthorizeAsync(app.Id));
        }

        var held = 0;
        foreach (var code in codes)
        {
            held += await StoredAsync(code) is null ? 0 : 1;
        }

        var newest = await flow.RedeemAsync(app, codes[^1]);
        var oldest = await flow.RedeemAsync(app, codes[0]);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(held, Is.EqualTo(10));
            Assert.That(newest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await ErrorOf(oldest), Does.Contain("invalid or has expired"), "replaced by newer codes");
        });
    }

    [Test]
    public async Task A_spent_code_presented_by_another_app_is_invalid_grant_and_leaves_the_rightful_apps_tokens_working()
    {
        var victim = await AppFlow.CreateAppAsync(_host);
        var attacker = await AppFlow.CreateAppAsync(_host, isPublic: true);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(victim.Id);
        var (token, refresh, _) = await AppFlow.ReadTokensAsync(await flow.RedeemAsync(victim, code));

        var stolen = await flow.RedeemAsync(attacker, code);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(stolen.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await ErrorOf(stolen), Does.Contain("invalid or has expired"));
            Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the victim's access token still works");
            Assert.That((await flow.RefreshAsync(victim, refresh!)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "and its refresh token");
        });
    }

    [Test]
    public async Task An_unspent_code_presented_by_another_app_stays_redeemable_by_its_own()
    {
        var victim = await AppFlow.CreateAppAsync(_host);
        var attacker = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(victim.Id);

        var stolen = await flow.RedeemAsync(attacker, code);
        var rightful = await flow.RedeemAsync(victim, code);

        Assert.That(stolen.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(rightful.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_wrong_verifier_or_redirect_uri_does_not_spend_the_code()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);

        var wrongVerifier = await flow.RedeemAsync(app, code, verifier: new AppFlow(_host, null).Verifier);
        var wrongRedirect = await flow.RedeemAsync(app, code, redirectUri: AppFlow.RedirectUri + "/");
        var right = await flow.RedeemAsync(app, code);

        Assert.That(wrongVerifier.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrongRedirect.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_code_issued_just_before_the_consent_is_withdrawn_or_the_app_revoked_starts_no_grant()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var beforeWithdrawal = await flow.AuthorizeAsync(app.Id);
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        Assert.That((await _host.SendAsync(HttpMethod.Delete, "/api/preview/oauth2consents/" + app.Id, key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var beforeRevoke = await flow.AuthorizeAsync(app.Id);
        await _host.Apps.RevokeAsync(app.Id, VezaCaller.Host, CancellationToken.None);
        await _host.Apps.ReinstateAsync(app.Id, VezaCaller.Host, CancellationToken.None);

        var afterWithdrawal = await flow.RedeemAsync(app, beforeWithdrawal);
        var afterRevoke = await flow.RedeemAsync(app, beforeRevoke);

        Assert.That(afterWithdrawal.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(afterRevoke.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_code_replayed_after_it_expired_is_simply_invalid_and_revokes_nothing()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);
        var (token, _, _) = await AppFlow.ReadTokensAsync(await flow.RedeemAsync(app, code));

        _time.Advance(TimeSpan.FromSeconds(150));
        var late = await flow.RedeemAsync(app, code);

        Assert.That(await ErrorOf(late), Does.Contain("invalid or has expired").And.Not.Contain("used before"));
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
