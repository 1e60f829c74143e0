using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>
/// Two sample server processes on one PostgreSQL database, as production runs several instances: credentials, codes
/// and revocations made through one hold on the other, and a signing-key rotation (a one-minute key lifetime here) is
/// followed without refusing a valid token.
/// </summary>
[TestFixture]
public sealed partial class SeveralProcessesTests
{
    private const string RootAdminKey = "veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS";
    private const string Worker = "engineering-worker", WorkerSecret = "sample-worker-secret-change-me-0123456789";
    private const string WebApp = "sample-webapp", WebAppSecret = "sample-webapp-secret-change-me-0123456789";
    private const string WebAppRedirect = "http://127.0.0.1:5090/signin-veza";
    private PostgreSqlTestDatabase _database = null!;
    private SampleProcess? _first;
    private SampleProcess? _second;
    private HttpClient _a = null!;
    private HttpClient _b = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await PostgreSqlTestDatabase.CreateAsync(migrate: false);
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:VezaPostgreSql"] = _database.ConnectionString,
            ["Veza:Authentication:OAuth2:SigningKeyLifetime"] = "00:01:00",
            ["Veza:Authentication:OAuth2:SigningKeyAnnouncement"] = "00:00:45",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The first migrates and seeds the empty database; the second finds it ready.
        _first = await SampleProcess.StartAsync(settings);
        _second = await SampleProcess.StartAsync(settings);
        _a = new HttpClient { BaseAddress = _first.Address };
        _b = new HttpClient { BaseAddress = _second.Address };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _a?.Dispose();
        _b?.Dispose();
        foreach (var process in new[] { _first, _second })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private string Outputs => $"first:{Environment.NewLine}{_first?.Output}{Environment.NewLine}second:{Environment.NewLine}{_second?.Output}";

    private static async Task<HttpStatusCode> CallAsync(HttpClient instance, string credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        using var response = await instance.SendAsync(request);
        return response.StatusCode;
    }

    private async Task AcceptedByBothAsync(string credential, string what)
        => Assert.That((await CallAsync(_a, credential), await CallAsync(_b, credential)), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)), what + Outputs);

    private static async Task RefusedEventuallyAsync(HttpClient instance, string credential, string what)
        => Assert.That(await Eventually.StatusAsync(() => CallAsync(instance, credential), HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized), what);

    private static async Task<JsonElement> ManageAsync(HttpClient instance, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RootAdminKey);
        using var response = await instance.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> TokenAsync(HttpClient instance, string clientId, string secret, params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await instance.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> ClientTokenAsync(HttpClient instance, string clientId, string secret)
        => (await TokenAsync(instance, clientId, secret, ("grant_type", "client_credentials"))).GetProperty("access_token").GetString()!;

    private static async Task RevokeTokenAsync(HttpClient instance, string clientId, string secret, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/revoke") { Content = new FormUrlEncodedContent([new("token", token)]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await instance.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Signs root-admin in at <paramref name="issuing"/>, allows the sample web app there, and redeems the code
    /// at <paramref name="redeeming"/>: the app's access and refresh tokens.</summary>
    private static async Task<(string Access, string Refresh)> AppTokensAsync(SampleProcess issuing, HttpClient redeeming)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = issuing.Address };
        var signIn = await browser.GetStringAsync("/account/signin");
        var signedIn = await browser.PostAsync("/account/signin", new FormUrlEncodedContent(
            [Antiforgery(signIn), new("username", "root-admin"), new("password", "root-admin-sample-password"), new("returnUrl", "")]));
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signedIn.Content.ReadAsStringAsync());

        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var authorize = QueryHelpers.AddQueryString("/oauth2/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = WebApp, ["redirect_uri"] = WebAppRedirect, ["scope"] = "graph:read offline_access",
            ["state"] = "s", ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        });
        var answer = await browser.GetAsync(authorize);
        if (answer.StatusCode == HttpStatusCode.OK)
        {
            var page = await answer.Content.ReadAsStringAsync();
            var team = TeamOption().Match(page);
            answer = await browser.PostAsync(authorize, new FormUrlEncodedContent(
                [Antiforgery(page), new("decision", "allow"), new("team_id", team.Success ? WebUtility.HtmlDecode(team.Groups["id"].Value) : "root")]));
        }

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await answer.Content.ReadAsStringAsync());
        var code = QueryHelpers.ParseQuery(answer.Headers.Location!.Query)["code"].ToString();
        var tokens = await TokenAsync(redeeming, WebApp, WebAppSecret,
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", WebAppRedirect), ("code_verifier", verifier));
        return (tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!);
    }

    private static KeyValuePair<string, string> Antiforgery(string page)
    {
        var field = AntiforgeryField().Match(page);
        Assert.That(field.Success, page);
        return new(WebUtility.HtmlDecode(field.Groups["name"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value));
    }

    [Test]
    public async Task A_key_a_client_token_and_an_app_token_from_one_instance_work_on_both()
    {
        await AcceptedByBothAsync(RootAdminKey, "the seeded key");
        await AcceptedByBothAsync(await ClientTokenAsync(_a, Worker, WorkerSecret), "a client token from the first");
        await AcceptedByBothAsync(await ClientTokenAsync(_b, Worker, WorkerSecret), "a client token from the second");
        var (access, _) = await AppTokensAsync(_first!, _b);
        await AcceptedByBothAsync(access, "an app token for a code issued by the first and redeemed on the second");
    }

    [Test]
    public async Task A_key_a_client_and_a_token_revoked_through_one_are_refused_by_the_other()
    {
        var key = (await ManageAsync(_a, HttpMethod.Post, "/api/preview/teamkeys", new { name = $"several-{Guid.NewGuid():N}", team_id = "engineering" }))
            .GetProperty("value");
        var keyString = key.GetProperty("access_key").GetString()!;
        await AcceptedByBothAsync(keyString, "a new team key");
        await ManageAsync(_a, HttpMethod.Post, $"/api/preview/teamkeys/{key.GetProperty("id").GetString()}:revoke");
        await RefusedEventuallyAsync(_b, keyString, "the key revoked through the first");

        var client = (await ManageAsync(_a, HttpMethod.Post, "/api/preview/oauth2clients",
            new { name = $"several-{Guid.NewGuid():N}", team_id = "engineering", role = "operator", scopes = new[] { "graph:read" } })).GetProperty("value");
        var (clientId, secret) = (client.GetProperty("client_id").GetString()!, client.GetProperty("client_secret").GetString()!);
        var clientToken = await ClientTokenAsync(_a, clientId, secret);
        await AcceptedByBothAsync(clientToken, "the new client's token");
        await ManageAsync(_b, HttpMethod.Post, $"/api/preview/oauth2clients/{clientId}:revoke");
        await RefusedEventuallyAsync(_a, clientToken, "the token of the client revoked through the second");

        var workerToken = await ClientTokenAsync(_b, Worker, WorkerSecret);
        await AcceptedByBothAsync(workerToken, "a worker token");
        await RevokeTokenAsync(_a, Worker, WorkerSecret, workerToken);
        await RefusedEventuallyAsync(_b, workerToken, "the token revoked at the first");
    }

    [Test]
    public async Task A_grant_and_a_consent_revoked_through_one_are_refused_by_the_other()
    {
        var (access, refresh) = await AppTokensAsync(_first!, _a);
        await AcceptedByBothAsync(access, "an app token");
        await RevokeTokenAsync(_a, WebApp, WebAppSecret, refresh);
        await RefusedEventuallyAsync(_b, access, "the access token of the grant whose refresh token was revoked at the first");

        var (again, _) = await AppTokensAsync(_second!, _b);
        await AcceptedByBothAsync(again, "a new app token");
        await ManageAsync(_b, HttpMethod.Delete, $"/api/preview/oauth2consents/{WebApp}");
        await RefusedEventuallyAsync(_a, again, "the app token after root-admin withdrew consent through the second");
    }

    [Test]
    public async Task Across_a_signing_key_rotation_every_token_either_instance_signs_is_accepted_by_both()
    {
        // With a one-minute key, a successor is announced within 15 s and signs from the minute: tokens from both
        // instances before, during and after the change stay valid on both.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(75);
        var kids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (DateTime.UtcNow < until)
        {
            var token = await ClientTokenAsync(i++ % 2 == 0 ? _a : _b, Worker, WorkerSecret);
            kids.Add(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Kid);
            await AcceptedByBothAsync(token, $"token {i}, signed with {new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Kid}");
            await Task.Delay(500);
        }

        Assert.That(kids, Has.Count.GreaterThanOrEqualTo(2), "the tokens were signed by more than one key: a rotation happened");
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"team_id\" value=\"(?<id>[^\"]+)\"|<option value=\"(?<id>[^\"]+)\"")]
    private static partial Regex TeamOption();
}
