using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.JwtBearer;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A remote resource server that cannot read its server's change feed fails closed: within the lag it answers from
/// what it read, past it every token is refused with 503 (logged once), and it recovers by itself when the feed can be
/// read again. A feed client without the right to read, or a server that is down at start, never lets a token through
/// and never answers 500. Clocks are fake; only the test moves them.
/// </summary>
[TestFixture]
public sealed class RemoteFeedOutageTests
{
    private const string LaggingLine = "has not been read for";

    private static async Task<HttpStatusCode> AfterAsync(FakeTimeProvider time, TimeSpan advance, ResourceServerHost api, string token, HttpStatusCode expected)
    {
        time.Advance(advance);
        return await Eventually.StatusAsync(() => api.StatusAsync(token), expected);
    }

    [Test]
    public async Task Cut_off_from_its_server_it_answers_within_the_lag_then_refuses_with_503_logged_once_and_recovers_by_itself()
    {
        var (server, feed) = await ResourceServerHost.StartAuthorizationServerAsync();
        await using var _ = server;
        using var line = new AuthorizationServerLine(server.TestHandler);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = await ResourceServerHost.StartAsync(Issuer, line, feed, time);
        var token = await server.GetTokenAsync(await server.CreateClientAsync(TeamA));
        Assert.That(await api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));

        line.Cut = true;
        time.Advance(TimeSpan.FromSeconds(10));
        await api.PollAsync();
        var withinLag = await api.StatusAsync(token);
        var pastLag = await AfterAsync(time, TimeSpan.FromSeconds(21), api, token, HttpStatusCode.ServiceUnavailable);
        var refused = await api.GetAsync("/api/me", token);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await api.PollAsync();
        }

        var laggingLines = api.Logs.Lines.Count(l => l.Contains(LaggingLine, StringComparison.Ordinal));
        line.Cut = false;
        var recovered = await AfterAsync(time, TimeSpan.FromSeconds(1), api, token, HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(withinLag, Is.EqualTo(HttpStatusCode.OK), "within the lag, what was read still holds");
            Assert.That(pastLag, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "past the lag, no token is vouched for");
            Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
            Assert.That(laggingLines, Is.EqualTo(1), "logged once, not on every poll");
            Assert.That(recovered, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(api.Logs.AllText, Does.Contain("can be read again"));
            Assert.That(api.Logs.AllText, Does.Not.Contain(feed.Secret), "the feed's secret is never logged");
        });
    }

    [Test]
    public async Task A_token_revoked_while_the_line_was_cut_is_refused_once_the_feed_is_read_again()
    {
        var (server, feed) = await ResourceServerHost.StartAuthorizationServerAsync();
        await using var _ = server;
        using var line = new AuthorizationServerLine(server.TestHandler);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = await ResourceServerHost.StartAsync(Issuer, line, feed, time);
        var client = await server.CreateClientAsync(TeamA);
        var token = await server.GetTokenAsync(client);
        Assert.That(await api.StatusAsync(token), Is.EqualTo(HttpStatusCode.OK));

        line.Cut = true;
        await server.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        var pastLag = await AfterAsync(time, TimeSpan.FromSeconds(31), api, token, HttpStatusCode.ServiceUnavailable);
        line.Cut = false;
        var afterRecovery = await AfterAsync(time, TimeSpan.FromSeconds(1), api, token, HttpStatusCode.Unauthorized);

        Assert.That(pastLag, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(afterRecovery, Is.EqualTo(HttpStatusCode.Unauthorized), "the feed is read on from where it stopped: the revocation is not lost");
    }

    [Test]
    public async Task Started_while_its_server_is_unreachable_it_answers_503_never_500_and_recovers()
    {
        var (server, feed) = await ResourceServerHost.StartAuthorizationServerAsync();
        await using var _ = server;
        using var line = new AuthorizationServerLine(server.TestHandler) { Cut = true };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = await ResourceServerHost.StartAsync(Issuer, line, feed, time);
        var token = await server.GetTokenAsync(await server.CreateClientAsync(TeamA));

        var whileDown = await api.StatusAsync(token);
        line.Cut = false;
        var afterwards = await AfterAsync(time, TimeSpan.FromSeconds(31), api, token, HttpStatusCode.OK);

        Assert.That(whileDown, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(afterwards, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_feed_client_without_the_right_to_read_the_feed_lets_no_token_through()
    {
        var (server, _) = await ResourceServerHost.StartAuthorizationServerAsync();
        await using var __ = server;
        var teamClient = await server.CreateClientAsync(TeamA, ResourceServerHost.FeedRole);
        await using var api = await ResourceServerHost.StartAsync(Issuer, server.TestHandler, teamClient, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = await server.GetTokenAsync(await server.CreateClientAsync(TeamA));

        Assert.That(await api.StatusAsync(token), Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(api.Logs.AllText, Does.Contain("The change feed could not be read"));
    }

    [Test]
    public void Without_a_feed_client_the_resource_server_refuses_to_start()
    {
        var options = new VezaJwtBearerOptions { Issuer = Issuer };
        var result = new VezaJwtBearerOptionsValidator().Validate("Veza", options);
        options.ChangeFeed.Enabled = false;
        var withoutFeed = new VezaJwtBearerOptionsValidator().Validate("Veza", options);
        var plainHttp = new VezaJwtBearerOptionsValidator().Validate("Veza", new VezaJwtBearerOptions { Issuer = "http://veza.example.com", ChangeFeed = { Enabled = false } });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("ChangeFeed.ClientId"));
        Assert.That(withoutFeed.Succeeded, Is.True, "following no feed is a choice to make explicitly");
        Assert.That(plainHttp.Failed, Is.True, "http only on a loopback host");
    }

    [Test]
    public async Task A_host_with_an_invalid_issuer_does_not_start()
    {
        var (server, feed) = await ResourceServerHost.StartAuthorizationServerAsync();
        await using var _ = server;

        Assert.That(async () => await ResourceServerHost.StartAsync("not a url", server.TestHandler, feed), Throws.InstanceOf<OptionsValidationException>());
    }
}
