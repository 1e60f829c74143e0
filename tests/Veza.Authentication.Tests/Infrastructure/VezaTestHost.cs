using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// A real ASP.NET Core pipeline on TestServer (or, when asked, Kestrel on 127.0.0.1) with the library registered, a
/// small directory (a root team and two teams) and a few endpoints. Argon2id runs with light parameters so tests stay quick; the hasher's own
/// tests use the defaults.
/// </summary>
internal sealed class VezaTestHost : IAsyncDisposable
{
    public const string RootTeam = "root";
    public const string TeamA = "team-a";
    public const string TeamB = "team-b";
    public const string RootAdmin = "root-admin";
    public const string AdminA = "admin-a";
    public const string OperatorA = "operator-a";
    public const string ViewerA = "viewer-a";
    public const string AdminB = "admin-b";

    public const string ClientIpHeader = "X-Test-Client-Ip";
    public const string Issuer = "https://veza.test";

    private readonly WebApplication _app;

    private VezaTestHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <summary>TestServer's handler, for clients that must choose their own base address.</summary>
    public HttpMessageHandler TestHandler => _app.GetTestServer().CreateHandler();

    public IServiceProvider Services => _app.Services;

    public InMemoryUserDirectory Directory => Services.GetRequiredService<InMemoryUserDirectory>();

    public ApiKeyService Keys => Services.GetRequiredService<ApiKeyService>();

    public OAuthClientService Clients => Services.GetRequiredService<OAuthClientService>();

    public OAuthAppService Apps => Services.GetRequiredService<OAuthAppService>();

    /// <summary>Switches the OAuth2 authorization server on or off, as the host.</summary>
    public async Task SwitchOAuth2Async(bool enabled)
    {
        var (result, settings) = await Services.GetRequiredService<OAuthServerSwitch>().SetAsync(enabled, "system", CancellationToken.None);
        Assert.That(result, Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(settings.OAuth2Enabled, Is.EqualTo(enabled));
    }

    /// <summary>Registers a client directly through the service; returns its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateClientAsync(string teamId, string? role = null, IReadOnlyList<string>? scopes = null,
        TimeSpan? lifetime = null, string? name = null)
    {
        var created = await Clients.CreateAsync(new OAuthClientDraft
        {
            Name = name ?? $"client-{Guid.NewGuid():N}",
            TeamId = teamId,
            Role = role,
            AllowedScopes = scopes,
            AccessTokenLifetime = lifetime,
        }, VezaCaller.Host, CancellationToken.None);
        Assert.That(created.Result, Is.EqualTo(OAuthClientResult.Success), created.Error);
        return (created.Client!.Id, created.Secret!);
    }

    /// <summary>Posts a form to an OAuth2 endpoint, with the client's credentials by Basic (default) or in the body.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? client = null,
        bool basic = true, string? clientIp = null)
    {
        var fields = form.ToList();
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (client is { } c)
        {
            if (basic)
            {
                var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
                    Uri.EscapeDataString(c.Id) + ":" + Uri.EscapeDataString(c.Secret)));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", encoded);
            }
            else
            {
                fields.Add(new("client_id", c.Id));
                fields.Add(new("client_secret", c.Secret));
            }
        }

        if (clientIp is not null)
        {
            request.Headers.Add(ClientIpHeader, clientIp);
        }

        request.Content = new FormUrlEncodedContent(fields);
        return Client.SendAsync(request);
    }

    /// <summary>Gets a client-credentials token; fails the test unless the answer is 200.</summary>
    public async Task<string> GetTokenAsync((string Id, string Secret) client, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        var response = await PostFormAsync("/oauth2/token", form, client);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public LogCollector Logs => Services.GetRequiredService<LogCollector>();

    /// <summary>Counts requests whose response completed, after every completion callback of the library ran.</summary>
    public RequestCompletions Completions => Services.GetRequiredService<RequestCompletions>();

    public static async Task<VezaTestHost> StartAsync(
        Action<IServiceCollection>? services = null,
        Action<VezaAuthenticationOptions>? options = null,
        bool kestrel = false,
        Action<WebApplication>? endpoints = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (kestrel)
        {
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace).AddFilter<LogCollector>(null, LogLevel.Trace);
        builder.Services.AddSingleton(logs);
        builder.Services.AddVezaAuthentication(o =>
            {
                o.Argon2id.MemorySizeKiB = 64;
                o.Argon2id.Iterations = 1;
                o.AddRole("admin", "graph:read", "integrations:push", "users:read");
                o.AddRole("operator", "graph:read", "integrations:push", "users:read");
                o.AddRole("viewer", "graph:read", "users:read");
                o.AddRole("oaa_push", "integrations:push", "users:read");
                o.OAuth2.Issuer = Issuer;
                o.OAuth2.InteractiveScheme = TestSignInHandler.Name;
                options?.Invoke(o);
            })
            .AddInMemoryStores();
        builder.Services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestSignInHandler>(TestSignInHandler.Name, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("graph:read", p => p.RequireVezaPermission("graph:read"))
            .AddPolicy("integrations:push", p => p.RequireVezaPermission("integrations:push"))
            .AddPolicy("scope:users:read", p => p.RequireVezaScope("users:read"));
        services?.Invoke(builder.Services);

        var completions = new RequestCompletions();
        builder.Services.AddSingleton(completions);
        var app = builder.Build();

        // Lets a test speak from a chosen client address (TestServer has none): "X-Test-Client-Ip: 203.0.113.7".
        app.Use((context, next) =>
        {
            // Registered first, so it runs after every completion callback the library registers (they run last-in first-out).
            context.Response.OnCompleted(completions.CompleteOne);
            if (context.Request.Headers.TryGetValue(ClientIpHeader, out var ip) && IPAddress.TryParse(ip.ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/anonymous", () => "hello");
        // Which connection carried the request, and which string instance holds its Authorization header: lets
        // tests check that they exercise one keep-alive connection on which Kestrel reuses the header's string.
        app.MapGet("/connection", (HttpContext c) => new
        {
            id = c.Connection.Id,
            header = c.Request.Headers.Authorization.Count == 1 ? RuntimeHelpers.GetHashCode(c.Request.Headers.Authorization[0]!) : 0,
        });
        app.MapGet("/api/me", (HttpContext c) => new
        {
            subject = c.User.FindFirst(VezaClaimTypes.Subject)?.Value,
            name = c.User.Identity?.Name,
            principal_type = c.User.FindFirst(VezaClaimTypes.PrincipalType)?.Value,
            team_id = c.User.FindFirst(VezaClaimTypes.TeamId)?.Value,
            roles = c.User.FindAll(VezaClaimTypes.Role).Select(x => x.Value).ToArray(),
            permissions = c.User.FindAll(VezaClaimTypes.Permission).Select(x => x.Value).ToArray(),
            method = c.User.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value,
            credential_id = c.User.FindFirst(VezaClaimTypes.CredentialId)?.Value,
        }).RequireAuthorization();
        app.MapGet("/api/graph", () => "graph").RequireAuthorization("graph:read");
        app.MapPost("/api/push", () => "pushed").RequireAuthorization("integrations:push");
        app.MapGet("/api/users", () => "users").RequireAuthorization("scope:users:read");
        app.MapVezaManagement();
        app.MapVezaOAuth2();
        endpoints?.Invoke(app);

        var directory = app.Services.GetRequiredService<InMemoryUserDirectory>();
        directory.AddTeam(new VezaTeam(RootTeam, "Root", IsRoot: true));
        directory.AddTeam(new VezaTeam(TeamA, "Team A", IsRoot: false));
        directory.AddTeam(new VezaTeam(TeamB, "Team B", IsRoot: false));
        AddUser(directory, RootAdmin, RootTeam, "admin");
        AddUser(directory, AdminA, TeamA, "admin");
        AddUser(directory, OperatorA, TeamA, "operator");
        AddUser(directory, ViewerA, TeamA, "viewer");
        AddUser(directory, AdminB, TeamB, "admin");

        await app.StartAsync();
        if (!kestrel)
        {
            return new VezaTestHost(app, app.GetTestClient());
        }

        // One connection, kept alive: every request of a test travels on the same socket.
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        return new VezaTestHost(app, new HttpClient(handler) { BaseAddress = new Uri(address) });
    }

    /// <summary>A host on a fake clock with the OAuth2 server switched on, for tests that move time.</summary>
    public static async Task<(VezaTestHost Host, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time)> StartOAuth2OnClockAsync()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = await StartAsync(services: s => s.AddSingleton<TimeProvider>(time));
        await host.SwitchOAuth2Async(true);
        return (host, time);
    }

    private static void AddUser(InMemoryUserDirectory directory, string id, string team, string role)
    {
        directory.AddUser(new VezaUser(id, id, IsActive: true));
        directory.SetRoles(id, team, role);
    }

    /// <summary>Creates a personal key directly through the service; returns the key string.</summary>
    public async Task<(string Id, string Key)> CreatePersonalKeyAsync(string userId, string teamId, string? name = null)
    {
        var created = await Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = name ?? $"key-{Guid.NewGuid():N}", TeamId = teamId, OwnerUserId = userId },
            VezaCaller.Host, CancellationToken.None);
        Assert.That(created.Result, Is.EqualTo(ApiKeyResult.Success), created.Error);
        return (created.Key!.Id, created.AccessKey!);
    }

    /// <summary>Creates a team key directly through the service; returns the key string.</summary>
    public async Task<(string Id, string Key)> CreateTeamKeyAsync(string teamId, string? name = null)
    {
        var created = await Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = name ?? $"team-key-{Guid.NewGuid():N}", TeamId = teamId },
            VezaCaller.Host, CancellationToken.None);
        Assert.That(created.Result, Is.EqualTo(ApiKeyResult.Success), created.Error);
        return (created.Key!.Id, created.AccessKey!);
    }

    /// <summary>Revokes a key as the host (the highest authority).</summary>
    public Task<ApiKeyChange> RevokeAsync(string id) => Keys.RevokeAsync(id, VezaCaller.Host, CancellationToken.None);

    /// <summary>Reinstates a key as the host.</summary>
    public Task<ApiKeyChange> ReinstateAsync(string id) => Keys.ReinstateAsync(id, VezaCaller.Host, CancellationToken.None);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body = null, string? clientIp = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (clientIp is not null)
        {
            request.Headers.Add(ClientIpHeader, clientIp);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? key, string? clientIp = null) => SendAsync(HttpMethod.Get, path, key, null, clientIp);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Counts completed requests, so a test can wait for what happens when a response completes.</summary>
internal sealed class RequestCompletions
{
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _completed;

    public int Completed => Volatile.Read(ref _completed);

    public Task CompleteOne()
    {
        lock (_lock)
        {
            _completed++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _completed).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes once <paramref name="count"/> responses have completed in all (10 s at most).</summary>
    public Task WaitForAsync(int count)
    {
        lock (_lock)
        {
            if (_completed >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}

/// <summary>Keeps every formatted log line (with exception text) so tests can check what was logged.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string AllText => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._lines.Enqueue($"{logLevel} {category} [{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
