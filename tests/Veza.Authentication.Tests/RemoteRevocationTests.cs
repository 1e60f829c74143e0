using System.Net;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A remote resource server follows the authorization server's change feed on a clock only the test moves: a token
/// revoked at the server (itself, through its grant, or through its client) is refused there once one poll interval has
/// passed, without a call to the server per request.
/// </summary>
[TestFixture]
public sealed class RemoteRevocationTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private VezaTestHost _server = null!;
    private AuthorizationServerLine _line = null!;
    private FakeTimeProvider _time = null!;
    private ResourceServerHost _api = null!;

    [SetUp]
    public async Task StartAsync()
    {
        (_server, var feed) = await ResourceServerHost.StartAuthorizationServerAsync();
        _line = new AuthorizationServerLine(_server.TestHandler);
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _api = await ResourceServerHost.StartAsync(Issuer, _line, feed, _time);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        await _server.DisposeAsync();
        _line.Dispose();
    }

    // One poll interval on the resource server's clock, then its answer once that poll has run.
    private async Task<HttpStatusCode> AfterOneIntervalAsync(string token, HttpStatusCode expected)
    {
        _time.Advance(Interval);
        return await Eventually.StatusAsync(() => _api.StatusAsync(token), expected);
    }

    [Test]
    public async Task A_token_revoked_at_the_revocation_endpoint_is_refused_after_one_poll_interval()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        var before = await _api.StatusAsync(token);

        await _server.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        var beforePoll = await _api.StatusAsync(token);
        var afterPoll = await AfterOneIntervalAsync(token, HttpStatusCode.Unauthorized);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(beforePoll, Is.EqualTo(HttpStatusCode.OK), "the revocation reaches the resource server through the feed, not per request");
            Assert.That(afterPoll, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_revoked_client_is_refused_after_one_interval_and_accepted_again_once_reinstated()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        Assert.That(await _api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await _server.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var revoked = await AfterOneIntervalAsync(token, HttpStatusCode.Unauthorized);
        await _server.Clients.ReinstateAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var reinstated = await AfterOneIntervalAsync(token, HttpStatusCode.OK);

        Assert.That(revoked, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(reinstated, Is.EqualTo(HttpStatusCode.OK), "as on the server: reinstating a client brings its unexpired tokens back");
    }

    [Test]
    public async Task A_deleted_clients_token_is_refused_after_one_interval()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        Assert.That(await _api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await _server.Clients.DeleteAsync(client.Id, VezaCaller.Host, CancellationToken.None);

        Assert.That(await AfterOneIntervalAsync(token, HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_apps_token_for_a_user_is_accepted_and_refused_once_the_grant_is_revoked()
    {
        var app = await AppFlow.CreateAppAsync(_server);
        var (token, _, _) = await new AppFlow(_server, OperatorA).SignInAsync(app);
        var me = (await _api.MeAsync(token)).GetProperty("claims");

        await _server.Apps.WithdrawConsentAsync(OperatorA, app.Id, VezaCaller.Host, CancellationToken.None);
        var afterPoll = await AfterOneIntervalAsync(token, HttpStatusCode.Unauthorized);

        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("sub")[0].GetString(), Is.EqualTo("user:" + OperatorA));
            Assert.That(me.GetProperty("veza_user_id")[0].GetString(), Is.EqualTo(OperatorA));
            Assert.That(me.GetProperty("veza_auth_method")[0].GetString(), Is.EqualTo("oauth2_app"));
            Assert.That(me.GetProperty("veza_credential_id")[0].GetString(), Is.EqualTo(app.Id));
            Assert.That(afterPoll, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Tokens_are_refused_while_the_server_is_switched_off_and_accepted_when_it_is_on_again()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        Assert.That(await _api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await _server.SwitchOAuth2Async(false);
        var off = await AfterOneIntervalAsync(token, HttpStatusCode.Unauthorized);
        await _server.SwitchOAuth2Async(true);
        var on = await AfterOneIntervalAsync(token, HttpStatusCode.OK);

        Assert.That(off, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(on, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Many_concurrent_requests_during_a_revoke_never_fail_open_or_with_an_error_and_do_not_call_the_server_each()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        Assert.That(await _api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));
        var callsBefore = _line.Calls;

        var during = Enumerable.Range(0, 200).Select(_ => Task.Run(() => _api.StatusAsync(token))).ToList();
        await _server.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        await _api.PollAsync();
        var after = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => _api.StatusAsync(token))));
        var statuses = await Task.WhenAll(during);

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.Unauthorized), "no 5xx while the revocation lands");
            Assert.That(after, Is.All.EqualTo(HttpStatusCode.Unauthorized), "every request once the feed was read");
            Assert.That(_line.Calls - callsBefore, Is.LessThan(10), "400 requests cost a poll of the feed, not a call each");
        });
    }
}
