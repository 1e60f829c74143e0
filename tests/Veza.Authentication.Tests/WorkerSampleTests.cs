extern alias worker;

using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using worker::Veza.Authentication.Samples.Worker;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The worker sample's token handling against a real server: one token reused, renewed before it expires.</summary>
[TestFixture]
public sealed class WorkerSampleTests
{
    private sealed class TestServerClients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { BaseAddress = new Uri(Issuer) };
    }

    [Test]
    public async Task The_worker_reuses_its_token_renews_it_before_expiry_and_recovers_from_a_revoked_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        await host.SwitchOAuth2Async(true);
        var (id, secret) = await host.CreateClientAsync(TeamA, role: "operator", lifetime: TimeSpan.FromMinutes(5));
        var options = Options.Create(new WorkerOptions { Authority = new Uri(Issuer), ClientId = id, ClientSecret = secret, Scope = "graph:read" });
        var factory = new TestServerClients(host.TestHandler);
        using var tokens = new ClientCredentialsTokenCache(factory, options, time, NullLogger<ClientCredentialsTokenCache>.Instance);
        using var api = new HttpClient(new ClientCredentialsHandler(tokens) { InnerHandler = host.TestHandler }) { BaseAddress = new Uri(Issuer) };

        var first = await api.GetAsync("/api/graph");
        var second = await api.GetAsync("/api/graph");
        var afterTwo = tokens.TokensRequested;
        time.Advance(TimeSpan.FromMinutes(4.6));
        var renewed = await api.GetAsync("/api/graph");
        var afterRenewal = tokens.TokensRequested;
        var current = await tokens.GetAsync(CancellationToken.None);
        await host.PostFormAsync("/oauth2/revoke", [new("token", current)], (id, secret));
        var afterRevoke = await api.GetAsync("/api/graph");

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first, second, renewed, afterRevoke }.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(afterTwo, Is.EqualTo(1), "one token for many calls");
            Assert.That(afterRenewal, Is.EqualTo(2), "renewed 30 s before it expires");
            Assert.That(tokens.TokensRequested, Is.EqualTo(3), "a refused token is replaced once");
        });
    }
}
