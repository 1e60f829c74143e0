using System.Net;
using System.Text.Json;
using Veza.Authentication.OAuth2.Endpoints;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The change feed over HTTP, as the authorization server answers it: only a root-team client's token with the feed's
/// scope reads it (anyone else gets an RFC 6750 error); pages carry what a resource server acts on and nothing about API
/// keys; a reader starts from a snapshot, and starts over from one when it fell behind the pruned entries.
/// </summary>
[TestFixture]
public sealed class ChangeFeedEndpointTests
{
    private VezaTestHost _server = null!;
    private (string Id, string Secret) _feed;

    [SetUp]
    public async Task StartAsync() => (_server, _feed) = await ResourceServerHost.StartAuthorizationServerAsync();

    [TearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> ReadAsync(string? token, string query = "?after=0")
        => await _server.GetAsync("/oauth2/changes" + query, token);

    private async Task<JsonElement> PageAsync(string query = "?after=0")
    {
        var response = await ReadAsync(await _server.GetTokenAsync(_feed), query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        return await JsonAsync(response);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string challenge, string error)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith(challenge));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo(error));
    }

    [Test]
    public async Task A_request_without_a_token_is_challenged_without_an_error_code()
        => await AssertRefusedAsync(await ReadAsync(null), HttpStatusCode.Unauthorized, "Bearer", "invalid_request");

    [Test]
    public async Task An_api_key_or_a_made_up_token_is_an_invalid_token()
    {
        var (_, key) = await _server.CreatePersonalKeyAsync(RootAdmin, RootTeam);

        await AssertRefusedAsync(await ReadAsync(key), HttpStatusCode.Unauthorized, "Bearer error=\"invalid_token\"", "invalid_token");
        await AssertRefusedAsync(await ReadAsync("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), HttpStatusCode.Unauthorized, "Bearer error=\"invalid_token\"", "invalid_token");
    }

    [Test]
    public async Task A_client_of_another_team_with_the_feeds_role_is_refused_with_insufficient_scope()
    {
        var other = await _server.CreateClientAsync(TeamA, ResourceServerHost.FeedRole);

        await AssertRefusedAsync(await ReadAsync(await _server.GetTokenAsync(other)), HttpStatusCode.Forbidden,
            "Bearer error=\"insufficient_scope\"", "insufficient_scope");
    }

    [Test]
    public async Task A_root_team_client_without_the_feeds_scope_is_refused_with_insufficient_scope()
    {
        var admin = await _server.CreateClientAsync(RootTeam, "admin");
        var response = await ReadAsync(await _server.GetTokenAsync(admin));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope\"", "insufficient_scope");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("scope=\"veza:changes\""));
    }

    [Test]
    public async Task A_revoked_feed_clients_token_is_refused_at_once()
    {
        var token = await _server.GetTokenAsync(_feed);
        await _server.Clients.RevokeAsync(_feed.Id, VezaCaller.Host, CancellationToken.None);

        await AssertRefusedAsync(await ReadAsync(token), HttpStatusCode.Unauthorized, "Bearer error=\"invalid_token\"", "invalid_token");
    }

    [Test]
    public async Task The_feed_answers_404_while_the_server_is_switched_off()
    {
        var token = await _server.GetTokenAsync(_feed);
        await _server.SwitchOAuth2Async(false);

        Assert.That((await ReadAsync(token)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _server.GetAsync("/oauth2/changes/clients/" + _feed.Id, token)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_malformed_sequence_is_an_invalid_request()
    {
        var token = await _server.GetTokenAsync(_feed);

        foreach (var query in new[] { "?after=-1", "?after=abc", "?after=1&after=2" })
        {
            Assert.That((await ReadAsync(token, query)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), query);
        }
    }

    [Test]
    public async Task The_metadata_names_the_feed()
    {
        var metadata = await JsonAsync(await _server.Client.GetAsync("/.well-known/oauth-authorization-server"));

        Assert.That(metadata.GetProperty("veza_change_feed_endpoint").GetString(), Is.EqualTo(Issuer + "/oauth2/changes"));
    }

    [Test]
    public async Task A_page_names_revoked_tokens_grants_and_clients_and_never_api_keys()
    {
        var (keyId, _) = await _server.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _server.RevokeAsync(keyId);
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        await _server.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        await _server.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var app = await AppFlow.CreateAppAsync(_server);
        await new AppFlow(_server, OperatorA).SignInAsync(app);
        await _server.Apps.WithdrawConsentAsync(OperatorA, app.Id, VezaCaller.Host, CancellationToken.None);

        var page = await PageAsync();
        var changes = page.GetProperty("changes").EnumerateArray().ToList();
        var text = page.GetRawText();
        var stored = (await _server.Services.GetRequiredService<InMemoryChangeFeed>().ReadAsync(0, 1000, CancellationToken.None)).Changes;

        Assert.Multiple(() =>
        {
            Assert.That(page.GetProperty("oauth2_enabled").GetBoolean(), Is.True);
            Assert.That(page.GetProperty("next").GetInt64(), Is.EqualTo(stored[^1].Sequence), "next passes the API-key entries too");
            Assert.That(stored.Any(c => c.Kind == VezaChangeKind.ApiKey), Is.True, "the feed itself holds the key's revocation");
            Assert.That(changes.Select(c => c.GetProperty("sequence").GetInt64()),
                Is.EquivalentTo(stored.Where(c => c.Kind != VezaChangeKind.ApiKey).Select(c => c.Sequence)), "every entry but the API keys'");
            Assert.That(changes.Any(c => c.GetProperty("type").GetString() == "token_revoked" && c.TryGetProperty("expires_at", out _)), Is.True);
            Assert.That(changes.Any(c => c.GetProperty("type").GetString() == "grant_revoked"), Is.True);
            Assert.That(changes.Any(c => c.GetProperty("type").GetString() == "client_changed" && c.GetProperty("id").GetString() == client.Id
                && !c.GetProperty("active").GetBoolean()), Is.True, "a client no longer active says so");
            Assert.That(text, Does.Not.Contain(keyId));
            Assert.That(text, Does.Not.Contain(client.Secret).And.Not.Contain("secret"));
        });
    }

    [Test]
    public async Task A_first_read_is_a_snapshot_of_the_unexpired_revocations_and_a_reader_behind_the_pruned_entries_gets_one_again()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(client);
        await _server.PostFormAsync("/oauth2/revoke", [new("token", token)], client);
        var jti = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Id;

        var first = await PageAsync(string.Empty);
        await _server.Services.GetRequiredService<InMemoryChangeFeed>().PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var behind = await PageAsync("?after=0");

        foreach (var snapshot in new[] { first, behind })
        {
            Assert.That(snapshot.GetProperty("snapshot").GetBoolean(), Is.True);
            Assert.That(snapshot.GetProperty("revoked_tokens").EnumerateArray().Select(t => t.GetProperty("id").GetString()), Does.Contain(jti));
        }
    }

    [Test]
    public async Task Client_and_grant_states_say_only_what_tokens_depend_on()
    {
        var client = await _server.CreateClientAsync(TeamA);
        var token = await _server.GetTokenAsync(_feed);
        var active = await JsonAsync(await _server.GetAsync("/oauth2/changes/clients/" + client.Id, token));
        await _server.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var revoked = await JsonAsync(await _server.GetAsync("/oauth2/changes/clients/" + client.Id, token));
        var unknownGrant = await JsonAsync(await _server.GetAsync("/oauth2/changes/grants/no-such-grant", token));

        Assert.Multiple(() =>
        {
            Assert.That(active.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(active.GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
            Assert.That(active.GetProperty("secret_ids").GetArrayLength(), Is.EqualTo(1));
            Assert.That(active.TryGetProperty("name", out _) || active.TryGetProperty("role", out _), Is.False, "no name, no role");
            Assert.That(revoked.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(revoked.TryGetProperty("secret_ids", out _), Is.False);
            Assert.That(unknownGrant.GetProperty("active").GetBoolean(), Is.False);
        });
    }

    [Test]
    public void A_page_settles_past_a_gap_only_once_the_gap_is_older_than_the_wait()
    {
        var now = DateTimeOffset.UtcNow;
        VezaChange At(long sequence, TimeSpan age) => new(sequence, VezaChangeKind.RevokedToken, "t" + sequence, now - age);
        var wait = TimeSpan.FromSeconds(30);

        Assert.Multiple(() =>
        {
            Assert.That(ChangeFeedPage.Settled([At(1, TimeSpan.Zero), At(2, TimeSpan.Zero)], 0, now, wait), Is.EqualTo(2));
            Assert.That(ChangeFeedPage.Settled([At(1, TimeSpan.Zero), At(3, TimeSpan.FromSeconds(5)), At(4, TimeSpan.Zero)], 0, now, wait), Is.EqualTo(1),
                "3 waits for the missing 2");
            Assert.That(ChangeFeedPage.Settled([At(1, TimeSpan.Zero), At(3, TimeSpan.FromMinutes(1)), At(4, TimeSpan.Zero)], 0, now, wait), Is.EqualTo(4),
                "2 has been missing for longer than the wait");
        });
    }
}
