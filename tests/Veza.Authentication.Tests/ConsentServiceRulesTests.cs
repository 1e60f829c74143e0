using System.Net;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The consent rules, driven through <see cref="OAuthAppService"/>: a user sees and withdraws only their own consents,
/// with their own credential; administrators, team keys and the apps themselves do not; the host may, naming the user.
/// </summary>
[TestFixture]
public sealed class ConsentServiceRulesTests
{
    private VezaTestHost _host = null!;
    private (string Id, string? Secret) _app;
    private AppFlow _operator = null!;
    private string _appToken = null!;
    private string _refreshToken = null!;

    private OAuthAppService Apps => _host.Apps;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
        _app = await AppFlow.CreateAppAsync(_host, name: "Graph Explorer");
        _operator = new AppFlow(_host, OperatorA);
        (_appToken, var refresh, _) = await _operator.SignInAsync(_app);
        _refreshToken = refresh!;
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<int> ConsentsOfOperatorAsync()
        => (await Apps.ListConsentsAsync(OperatorA, VezaCaller.Host, CancellationToken.None)).Items.Count;

    [Test]
    public async Task A_user_signed_in_with_the_hosts_cookie_sees_and_withdraws_their_own_consent()
    {
        var user = await _host.SignedInAsync(OperatorA);

        var listed = await Apps.ListConsentsAsync(null, user, CancellationToken.None);
        var withdrawn = await Apps.WithdrawConsentAsync(null, _app.Id, user, CancellationToken.None);
        var again = await Apps.WithdrawConsentAsync(OperatorA, _app.Id, user, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(listed.Result, Is.EqualTo(OAuthClientResult.Success));
            Assert.That(listed.Items.Select(e => (e.Consent.UserId, e.Consent.AppId, e.Consent.TeamId, e.App?.Name)),
                Is.EqualTo(new[] { (OperatorA, _app.Id, TeamA, (string?)"Graph Explorer") }));
            Assert.That((withdrawn.Result, withdrawn.Withdrawn), Is.EqualTo((OAuthClientResult.Success, 1)));
            Assert.That(again.Result, Is.EqualTo(OAuthClientResult.NotFound), "naming themselves is the same as their own");
            Assert.That((await _operator.RefreshAsync(_app, _refreshToken)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "its refresh token is dead");
        });
    }

    [Test]
    public async Task Administrators_of_the_users_team_and_of_the_root_team_neither_see_nor_withdraw_a_users_consent()
    {
        foreach (var admin in new[] { await _host.SignedInAsync(AdminA), await _host.SignedInAsync(RootAdmin) })
        {
            var listed = await Apps.ListConsentsAsync(OperatorA, admin, CancellationToken.None);
            var withdrawn = await Apps.WithdrawConsentAsync(OperatorA, _app.Id, admin, CancellationToken.None);
            var ownOnly = await Apps.ListConsentsAsync(null, admin, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That((listed.Result, withdrawn.Result), Is.EqualTo((OAuthClientResult.Forbidden, OAuthClientResult.Forbidden)), admin.ToString());
                Assert.That(listed.Items, Is.Empty);
                Assert.That(ownOnly.Items, Is.Empty, "their own consents: none");
            });
        }

        Assert.That(await ConsentsOfOperatorAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_app_acting_for_the_user_and_a_team_key_neither_see_nor_withdraw_the_users_consent()
    {
        var (_, teamKey) = await _host.CreateTeamKeyAsync(TeamA);

        foreach (var caller in new[] { await _host.BearerAsync(_appToken), await _host.BearerAsync(teamKey) })
        {
            var listed = await Apps.ListConsentsAsync(null, caller, CancellationToken.None);
            var withdrawn = await Apps.WithdrawConsentAsync(null, _app.Id, caller, CancellationToken.None);

            Assert.That((listed.Result, withdrawn.Result), Is.EqualTo((OAuthClientResult.Forbidden, OAuthClientResult.Forbidden)), caller.ToString());
        }

        Assert.That(await ConsentsOfOperatorAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_host_withdraws_any_users_consent_once_it_names_the_user()
    {
        var unnamed = await Apps.WithdrawConsentAsync(null, _app.Id, VezaCaller.Host, CancellationToken.None);
        var named = await Apps.WithdrawConsentAsync(OperatorA, _app.Id, VezaCaller.Host, CancellationToken.None);

        Assert.That((unnamed.Result, named.Result, named.Withdrawn), Is.EqualTo((OAuthClientResult.Invalid, OAuthClientResult.Success, 1)));
        Assert.That(await ConsentsOfOperatorAsync(), Is.Zero);
    }
}
