using System.Security.Claims;
using System.Text.Encodings.Web;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Benchmarks;

/// <summary>
/// One whole request through the ASP.NET Core pipeline (routing, authentication, authorization, endpoint) on
/// TestServer, as <c>GET /ping</c> (anonymous) and <c>GET /api/ping</c> (the same endpoint behind
/// <c>RequireAuthorization()</c>) in the sample server. The floor is the same protected endpoint behind a scheme
/// that does nothing but return a one-claim principal: what the framework's authentication and authorization cost
/// whatever the credential. Logging providers are removed.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PipelineBenchmarks
{
    private WebApplication _veza = null!;
    private WebApplication _floor = null!;
    private TestServer _vezaServer = null!;
    private TestServer _floorServer = null!;
    private string _header = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddVezaAuthentication(o => o.AddRole("admin", "graph:read", "integrations:push", "users:read", "reviews:manage"))
            .AddInMemoryStores();
        _veza = builder.Build();
        Map(_veza);
        await _veza.StartAsync();
        _vezaServer = _veza.GetTestServer();
        var directory = _veza.Services.GetRequiredService<InMemoryUserDirectory>();
        directory.AddTeam(new VezaTeam("t", "T", true));
        directory.AddUser(new VezaUser("u", "U", true));
        directory.SetRoles("u", "t", "admin");
        var created = await _veza.Services.GetRequiredService<Veza.Authentication.ApiKeys.ApiKeyService>()
            .CreateAsync(new Veza.Authentication.ApiKeys.ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = "bench", TeamId = "t", OwnerUserId = "u" },
                Veza.Authentication.Principals.VezaCaller.Host, CancellationToken.None);
        _header = "Bearer " + created.AccessKey;

        var floor = WebApplication.CreateSlimBuilder();
        floor.WebHost.UseTestServer();
        floor.Logging.ClearProviders();
        floor.Services.AddAuthentication("Floor").AddScheme<AuthenticationSchemeOptions, FloorHandler>("Floor", null);
        floor.Services.AddAuthorization();
        _floor = floor.Build();
        Map(_floor);
        await _floor.StartAsync();
        _floorServer = _floor.GetTestServer();

        if (await StatusAsync(_vezaServer, "/api/ping", _header) != 200 || await StatusAsync(_vezaServer, "/api/ping", null) != 401
            || await StatusAsync(_floorServer, "/api/ping", null) != 200)
        {
            throw new InvalidOperationException("The pipelines do not answer as expected.");
        }
    }

    private static void Map(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/ping", () => "pong").AllowAnonymous();
        app.MapGet("/api/ping", () => "pong").RequireAuthorization();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _veza.DisposeAsync();
        await _floor.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "GET /ping, anonymous")]
    public Task<int> Anonymous() => StatusAsync(_vezaServer, "/ping", null);

    [Benchmark(Description = "GET /api/ping, API key (cached)")]
    public Task<int> WithApiKey() => StatusAsync(_vezaServer, "/api/ping", _header);

    [Benchmark(Description = "GET /ping (anonymous endpoint) with the API key")]
    public Task<int> AnonymousWithApiKey() => StatusAsync(_vezaServer, "/ping", _header);

    [Benchmark(Description = "GET /api/ping, floor scheme (one-claim principal)")]
    public Task<int> FloorScheme() => StatusAsync(_floorServer, "/api/ping", null);

    private static async Task<int> StatusAsync(TestServer server, string path, string? authorization)
    {
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = path;
            if (authorization is not null)
            {
                c.Request.Headers.Authorization = authorization;
            }
        });
        return context.Response.StatusCode;
    }

    /// <summary>A scheme that authenticates every request as the same one-claim user.</summary>
    private sealed class FloorHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var identity = new ClaimsIdentity([new Claim("sub", "u")], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
