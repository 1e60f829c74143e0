using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>What happens to a client's tokens when the client, its secrets or the server change: seen on the next request.</summary>
[TestFixture]
public sealed class ClientLifecycleTests
{
    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<HttpStatusCode> CallAsync(string token) => (await _host.GetAsync("/api/me", token)).StatusCode;

    [Test]
    public async Task A_revoked_client_loses_its_tokens_at_once_and_gets_them_back_when_reinstated()
    {
        var client = await _host.CreateClientAsync(TeamA);
        var token = await _host.GetTokenAsync(client);
        Assert.That(await CallAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await _host.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var whileRevoked = await CallAsync(token);
        var tokenRequest = await _host.PostFormAsync("/oauth2/token", [Grant], client);
        await _host.Clients.ReinstateAsync(client.Id, VezaCaller.Host, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(whileRevoked, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(tokenRequest.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await CallAsync(token), Is.EqualTo(HttpStatusCode.OK), "an unexpired token of a reinstated client works again");
        });
    }

    [Test]
    public async Task A_deleted_client_loses_its_tokens_at_once()
    {
        var client = await _host.CreateClientAsync(TeamA);
        var token = await _host.GetTokenAsync(client);

        await _host.Clients.DeleteAsync(client.Id, VezaCaller.Host, CancellationToken.None);

        Assert.That(await CallAsync(token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Two_secrets_rotate_without_downtime_and_removing_one_ends_its_tokens()
    {
        var (id, oldSecret) = await _host.CreateClientAsync(TeamA);
        var oldToken = await _host.GetTokenAsync((id, oldSecret));

        var added = await _host.Clients.AddSecretAsync(id, null, VezaCaller.Host, CancellationToken.None);
        Assert.That(added.Result, Is.EqualTo(OAuthClientResult.Success));
        var newToken = await _host.GetTokenAsync((id, added.Secret!));
        var third = await _host.Clients.AddSecretAsync(id, null, VezaCaller.Host, CancellationToken.None);
        var oldSecretId = added.Client!.Secrets.Single(s => s.Id != added.SecretId).Id;

        Assert.That(await CallAsync(oldToken), Is.EqualTo(HttpStatusCode.OK), "both secrets work during the rotation");
        Assert.That(third.Result, Is.EqualTo(OAuthClientResult.QuotaExceeded), "two secrets at most");

        await _host.Clients.RemoveSecretAsync(id, oldSecretId, VezaCaller.Host, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await CallAsync(oldToken), Is.EqualTo(HttpStatusCode.Unauthorized), "a token got with the removed secret ends");
            Assert.That((await _host.PostFormAsync("/oauth2/token", [Grant], (id, oldSecret))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await CallAsync(newToken), Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task An_expired_secret_is_refused()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        await host.SwitchOAuth2Async(true);
        var (id, _) = await host.CreateClientAsync(TeamA);
        var added = await host.Clients.AddSecretAsync(id, time.GetUtcNow().AddHours(1), VezaCaller.Host, CancellationToken.None);
        await host.GetTokenAsync((id, added.Secret!));

        time.Advance(TimeSpan.FromHours(2));
        var response = await host.PostFormAsync("/oauth2/token", [Grant], (id, added.Secret!));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Switching_the_server_off_hides_its_endpoints_and_refuses_its_tokens_while_api_keys_keep_working()
    {
        var client = await _host.CreateClientAsync(TeamA);
        var token = await _host.GetTokenAsync(client);
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        await _host.SwitchOAuth2Async(false);
        var refused = await _host.GetAsync("/api/me", token);
        var create = await _host.Clients.CreateAsync(new OAuthClientDraft { Name = "while-off", TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        var paths = new[] { "/.well-known/oauth-authorization-server", "/oauth2/jwks" };
        var gets = await Task.WhenAll(paths.Select(p => _host.Client.GetAsync(p)));
        var posts = await Task.WhenAll(new[] { "/oauth2/token", "/oauth2/revoke", "/oauth2/introspect" }
            .Select(p => _host.PostFormAsync(p, [Grant, new("token", token)], client)));

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refused.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
            Assert.That(create.Result, Is.EqualTo(OAuthClientResult.ServerOff));
            Assert.That(gets.Concat(posts).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await CallAsync(key), Is.EqualTo(HttpStatusCode.OK));
        });

        await _host.SwitchOAuth2Async(true);
        Assert.That(await CallAsync(token), Is.EqualTo(HttpStatusCode.OK), "unexpired, unrevoked tokens are valid again once the server is back on");
    }

    [Test]
    public async Task A_client_revokes_its_own_token_and_cannot_revoke_another_clients()
    {
        var mine = await _host.CreateClientAsync(TeamA);
        var theirs = await _host.CreateClientAsync(TeamB);
        var myToken = await _host.GetTokenAsync(mine);
        var theirToken = await _host.GetTokenAsync(theirs);

        var revokeTheirs = await _host.PostFormAsync("/oauth2/revoke", [new("token", theirToken)], mine);
        var revokeMine = await _host.PostFormAsync("/oauth2/revoke", [new("token", myToken), new("token_type_hint", "access_token")], mine);
        var revokeGarbage = await _host.PostFormAsync("/oauth2/revoke", [new("token", "not-a-token")], mine);

        Assert.Multiple(async () =>
        {
            Assert.That(revokeTheirs.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same answer, so nothing is learnt");
            Assert.That(revokeMine.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(revokeGarbage.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await CallAsync(theirToken), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await CallAsync(myToken), Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Revocation_needs_client_authentication()
    {
        var client = await _host.CreateClientAsync(TeamA);
        var token = await _host.GetTokenAsync(client);

        var response = await _host.PostFormAsync("/oauth2/revoke", [new("token", token)]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await CallAsync(token), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Introspection_tells_a_client_about_its_own_tokens_only()
    {
        var mine = await _host.CreateClientAsync(TeamA, role: "viewer", scopes: ["graph:read"]);
        var theirs = await _host.CreateClientAsync(TeamB);
        var myToken = await _host.GetTokenAsync(mine);
        var theirToken = await _host.GetTokenAsync(theirs);

        var own = await JsonAsync(await _host.PostFormAsync("/oauth2/introspect", [new("token", myToken)], mine));
        var other = await _host.PostFormAsync("/oauth2/introspect", [new("token", theirToken)], mine);
        var otherJson = await JsonAsync(other);
        await _host.PostFormAsync("/oauth2/revoke", [new("token", myToken)], mine);
        var revoked = await JsonAsync(await _host.PostFormAsync("/oauth2/introspect", [new("token", myToken)], mine));
        var anonymous = await _host.PostFormAsync("/oauth2/introspect", [new("token", myToken)]);

        Assert.Multiple(() =>
        {
            Assert.That(own.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(own.GetProperty("client_id").GetString(), Is.EqualTo(mine.Id));
            Assert.That(own.GetProperty("scope").GetString(), Is.EqualTo("graph:read"));
            Assert.That(own.GetProperty("iss").GetString(), Is.EqualTo(Issuer));
            Assert.That(own.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(otherJson.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(otherJson.EnumerateObject().Count(), Is.EqualTo(1), "nothing but active: false");
            Assert.That(revoked.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Changes_and_token_events_are_audited_without_secrets_or_tokens()
    {
        var sink = new RecordingAuditSink();
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IVezaAuditSink>(sink)));
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var token = await host.GetTokenAsync(client);
        await host.PostFormAsync("/oauth2/token", [Grant], (client.Id, client.Secret + "x"));
        await host.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        await host.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);

        var actions = sink.Events.Select(e => $"{e.Action} {e.Outcome}").ToList();
        var text = JsonSerializer.Serialize(sink.Events);

        Assert.Multiple(() =>
        {
            Assert.That(actions, Does.Contain("oauth2_client.create success"));
            Assert.That(actions, Does.Contain("oauth2.token.issue success"));
            Assert.That(actions, Does.Contain("oauth2.token.refuse invalid_client"));
            Assert.That(actions, Does.Contain("oauth2.token.revoke success"));
            Assert.That(actions, Does.Contain("oauth2_client.revoke success"));
            Assert.That(text, Does.Not.Contain(client.Secret));
            Assert.That(text, Does.Not.Contain(token));
        });
    }
}
