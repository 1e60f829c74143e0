using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// What a host extends, as with JwtBearer's events: supplying the token itself (<c>OnMessageReceived</c>), looking at or
/// refusing a verified principal (<c>OnTokenValidated</c>), and telling failures apart by kind, not by text.
/// </summary>
[TestFixture]
public sealed class BearerEventTests
{
    [Test]
    public async Task A_host_supplies_the_token_from_its_own_header_or_query_string()
    {
        await using var host = await StartAsync(options: o => o.Events.OnMessageReceived = context =>
        {
            context.Token = context.Request.Headers["X-Api-Key"].FirstOrDefault() ?? context.Request.Query["access_token"].FirstOrDefault();
            return Task.CompletedTask;
        });
        await host.SwitchOAuth2Async(true);
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var token = await host.GetTokenAsync(await host.CreateClientAsync(TeamA));
        var fromHeader = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        fromHeader.Headers.Add("X-Api-Key", key);

        var byHeader = await host.Client.SendAsync(fromHeader);
        var byQuery = await host.GetAsync("/api/me?access_token=" + token, null);
        var wrongInQuery = await host.GetAsync("/api/me?access_token=" + ApiKeyFormat.Generate(), null);
        var stillTheAuthorizationHeader = await host.GetAsync("/api/me", key);

        Assert.Multiple(() =>
        {
            Assert.That(byHeader.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(byQuery.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(wrongInQuery.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongInQuery.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
            Assert.That(stillTheAuthorizationHeader.StatusCode, Is.EqualTo(HttpStatusCode.OK), "with no token supplied, the header is read");
        });
    }

    [Test]
    public async Task A_host_can_decide_before_the_library_reads_anything()
    {
        await using var host = await StartAsync(options: o => o.Events.OnMessageReceived = context =>
        {
            if (context.Request.Headers.ContainsKey("X-Blocked"))
            {
                context.Fail("blocked by the host");
            }

            return Task.CompletedTask;
        });
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var blocked = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        blocked.Headers.Add("X-Blocked", "1");
        blocked.Headers.Authorization = new("Bearer", key);

        Assert.That((await host.Client.SendAsync(blocked)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_host_looks_at_every_verified_principal_and_may_refuse_or_change_it()
    {
        await using var host = await StartAsync(options: o => o.Events.OnTokenValidated = context =>
        {
            if (context.Principal!.FindFirst(VezaClaimTypes.PrincipalType)?.Value == VezaPrincipalTypes.ServiceAccount)
            {
                context.Fail("team keys are not accepted here");
            }
            else
            {
                ((ClaimsIdentity)context.Principal.Identity!).AddClaim(new Claim(VezaClaimTypes.Role, "seen-by-host"));
            }

            return Task.CompletedTask;
        });
        var (_, personal) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (_, team) = await host.CreateTeamKeyAsync(TeamA);

        var me = await JsonAsync(await host.GetAsync("/api/me", personal));
        var refused = await host.GetAsync("/api/me", team);

        Assert.That(me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Does.Contain("seen-by-host"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
    }

    [Test]
    public async Task Failures_reach_the_events_by_kind_not_by_text()
    {
        var seen = new ConcurrentQueue<VezaAuthenticationFailureKind>();
        var challenged = new ConcurrentQueue<VezaAuthenticationFailureKind?>();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new SwitchableApiKeyStore(new Veza.Authentication.Stores.InMemory.InMemoryApiKeyStore(new Veza.Authentication.Stores.InMemory.InMemoryChangeFeed()));
        await using var host = await StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(store));
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        }, options: o =>
        {
            o.SecretChecks.FailureLimitPerSource = 100;
            o.Events.OnAuthenticationFailed = context =>
            {
                seen.Enqueue(context.FailureKind);
                return Task.CompletedTask;
            };
            o.Events.OnChallenge = context =>
            {
                challenged.Enqueue(context.FailureKind);
                return Task.CompletedTask;
            };
        });
        await host.SwitchOAuth2Async(true);
        var (revokedId, revoked) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await host.RevokeAsync(revokedId);
        var (_, ownerGone) = await host.CreatePersonalKeyAsync(OperatorA, TeamA);
        host.Directory.SetActive(OperatorA, false);
        var (someId, _) = await host.CreatePersonalKeyAsync(AdminA, TeamA);
        var token = await host.GetTokenAsync(await host.CreateClientAsync(TeamA, lifetime: TimeSpan.FromMinutes(5)));

        async Task<VezaAuthenticationFailureKind> KindOfAsync(string? credential, string? clientIp = null)
        {
            seen.Clear();
            await host.GetAsync("/api/me", credential, clientIp);
            return seen.Single();
        }

        var kinds = new Dictionary<string, VezaAuthenticationFailureKind>
        {
            ["revoked"] = await KindOfAsync(revoked),
            ["unknown"] = await KindOfAsync(ApiKeyFormat.Generate()),
            ["wrong secret"] = await KindOfAsync(await WrongSecrets.KeyAsync(host, someId)),
            ["malformed"] = await KindOfAsync("veza_not-a-key"),
            ["owner gone"] = await KindOfAsync(ownerGone),
        };
        time.Advance(TimeSpan.FromMinutes(6));
        kinds["expired"] = await KindOfAsync(token);
        store.FailReads = true;
        kinds["store down"] = await KindOfAsync(ApiKeyFormat.Generate());
        challenged.Clear();
        await host.GetAsync("/api/me", null);

        Assert.Multiple(() =>
        {
            Assert.That(kinds["revoked"], Is.EqualTo(VezaAuthenticationFailureKind.Revoked));
            Assert.That(kinds["unknown"], Is.EqualTo(VezaAuthenticationFailureKind.Unknown));
            Assert.That(kinds["wrong secret"], Is.EqualTo(VezaAuthenticationFailureKind.WrongSecret));
            Assert.That(kinds["malformed"], Is.EqualTo(VezaAuthenticationFailureKind.Malformed));
            Assert.That(kinds["owner gone"], Is.EqualTo(VezaAuthenticationFailureKind.CallerGone));
            Assert.That(kinds["expired"], Is.EqualTo(VezaAuthenticationFailureKind.Expired));
            Assert.That(kinds["store down"], Is.EqualTo(VezaAuthenticationFailureKind.StoreUnavailable));
            Assert.That(challenged.Single(), Is.Null, "no credential, no failure kind");
        });
    }
}
