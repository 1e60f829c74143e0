using Microsoft.AspNetCore.Authentication;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Benchmarks;

/// <summary>
/// A host with the library's real services, built with <c>WebApplication.CreateSlimBuilder()</c> and not started
/// (no Kestrel, no hosted services). Logging providers are removed, so log calls cost only their level check.
/// The directory holds team <c>t</c>, user <c>u</c> with role <c>admin</c>, which grants four permissions like the
/// sample's admin role, so a successful check builds a principal of the same size as in the sample.
/// </summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    public const string Scheme = VezaAuthenticationDefaults.AuthenticationScheme;

    private readonly WebApplication _app;
    private readonly IServiceScopeFactory _scopes;

    private BenchmarkHost(WebApplication app)
    {
        _app = app;
        _scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
    }

    public IServiceProvider Services => _app.Services;

    /// <param name="failureLimit">Overrides <c>SecretChecks.FailureLimitPerSource</c>; every other option keeps its default
    /// (Argon2id m=19456 KiB, t=2, p=1; cache 5 minutes).</param>
    /// <param name="issuer">Sets <c>OAuth2.Issuer</c>, for benchmarks of access tokens.</param>
    public static BenchmarkHost Create(int? failureLimit = null, string? issuer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services
            .AddVezaAuthentication(options =>
            {
                options.AddRole("admin", "graph:read", "integrations:push", "users:read", "reviews:manage");
                options.OAuth2.Issuer = issuer;
                if (failureLimit is { } limit)
                {
                    options.SecretChecks.FailureLimitPerSource = limit;
                }
            })
            .AddInMemoryStores();
        var host = new BenchmarkHost(builder.Build());
        _ = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VezaAuthenticationOptions>>().Value; // runs the validator

        var directory = host.Services.GetRequiredService<InMemoryUserDirectory>();
        directory.AddTeam(new VezaTeam("t", "T", true));
        directory.AddUser(new VezaUser("u", "U", true));
        directory.SetRoles("u", "t", "admin");
        return host;
    }

    /// <summary>Creates a personal key of user <c>u</c> in team <c>t</c> (one Argon2id hash).</summary>
    public async Task<(string KeyId, string AccessKey)> CreateKeyAsync(string name)
    {
        var keys = Services.GetRequiredService<Veza.Authentication.ApiKeys.ApiKeyService>();
        var created = await keys.CreateAsync(new Veza.Authentication.ApiKeys.ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = name, TeamId = "t", OwnerUserId = "u" },
            Veza.Authentication.Principals.VezaCaller.Host, CancellationToken.None);
        return (created.Key!.Id, created.AccessKey!);
    }

    /// <summary>What <c>UseAuthentication</c> does per request: a request scope, an HttpContext with the header,
    /// and <c>AuthenticateAsync("Veza")</c> through IAuthenticationService and the Veza handler.</summary>
    public async Task<AuthenticateResult> AuthenticateAsync(string? authorization, string scheme = Scheme)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return await context.AuthenticateAsync(scheme);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
