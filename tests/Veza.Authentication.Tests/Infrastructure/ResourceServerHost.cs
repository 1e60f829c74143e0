using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Veza.Authentication.JwtBearer;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// A resource server in a process of its own, as far as a test can make one: a second host holding only
/// <c>AddVezaJwtBearer</c>, with none of the library's stores, whose every call to the authorization server (metadata,
/// keys, token, change feed) goes through that server's TestServer handler.
/// </summary>
internal sealed class ResourceServerHost : IAsyncDisposable
{
    /// <summary>The role the feed's client acts with on test servers: its one permission is the feed's scope.</summary>
    public const string FeedRole = "resource_server";

    private readonly WebApplication _app;

    private ResourceServerHost(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public LogCollector Logs => _app.Services.GetRequiredService<LogCollector>();

    /// <summary>What the scheme holds: the server's configuration, the feed's states and its follower.</summary>
    public VezaResourceServer Server => _app.Services.GetRequiredService<VezaResourceServers>().Get(VezaJwtBearerDefaults.AuthenticationScheme);

    /// <summary>One read of the feed now, as the follower's timer would do it.</summary>
    public Task PollAsync() => Server.Follower.PollAsync(CancellationToken.None);

    /// <summary>An authorization server (VezaTestHost) with the OAuth2 switch on and a root-team client that may read the feed.</summary>
    public static async Task<(VezaTestHost Server, (string Id, string Secret) FeedClient)> StartAuthorizationServerAsync(TimeProvider? time = null,
        Action<Veza.Authentication.Hosting.VezaAuthenticationOptions>? options = null)
    {
        var server = await VezaTestHost.StartAsync(
            services: s =>
            {
                if (time is not null)
                {
                    s.Replace(ServiceDescriptor.Singleton(time));
                }
            },
            options: o =>
            {
                o.AddRole(FeedRole, VezaJwtBearerDefaults.ChangeFeedScope);
                options?.Invoke(o);
            });
        await server.SwitchOAuth2Async(true);
        var feedClient = await server.CreateClientAsync(VezaTestHost.RootTeam, FeedRole);
        return (server, feedClient);
    }

    public static async Task<ResourceServerHost> StartAsync(string issuer, HttpMessageHandler authorizationServer, (string Id, string Secret) feedClient,
        TimeProvider? time = null, Action<VezaJwtBearerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(logs);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddAuthentication().AddVezaJwtBearer(issuer, o =>
        {
            o.BackchannelHttpHandler = authorizationServer;
            o.ChangeFeed.ClientId = feedClient.Id;
            o.ChangeFeed.ClientSecret = feedClient.Secret;
            configure?.Invoke(o);
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy("graph:read", p => p.RequireClaim("veza_permission", "graph:read"));
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/api/me", (HttpContext c) => new
        {
            name = c.User.Identity?.Name,
            claims = c.User.Claims.GroupBy(x => x.Type).ToDictionary(g => g.Key, g => g.Select(x => x.Value).ToArray()),
        }).RequireAuthorization();
        app.MapGet("/api/graph", () => "graph").RequireAuthorization("graph:read");
        await app.StartAsync();
        return new ResourceServerHost(app);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request);
    }

    /// <summary>The status of <c>/api/me</c> with <paramref name="token"/>.</summary>
    public async Task<HttpStatusCode> StatusAsync(string token) => (await GetAsync("/api/me", token)).StatusCode;

    /// <summary>The claims of <c>/api/me</c>'s principal, by type.</summary>
    public async Task<JsonElement> MeAsync(string token)
    {
        var response = await GetAsync("/api/me", token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Stands between a resource server and its authorization server: counts the calls, and can cut the line, as a
/// network would.</summary>
internal sealed class AuthorizationServerLine(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private volatile bool _cut;
    private int _calls;

    public bool Cut
    {
        get => _cut;
        set => _cut = value;
    }

    /// <summary>How many calls reached the server.</summary>
    public int Calls => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_cut)
        {
            return Task.FromException<HttpResponseMessage>(new HttpRequestException("connection refused (the test cut the line)"));
        }

        Interlocked.Increment(ref _calls);
        return base.SendAsync(request, cancellationToken);
    }
}
