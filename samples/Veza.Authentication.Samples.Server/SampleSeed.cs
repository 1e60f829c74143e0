using Veza.Authentication.ApiKeys;
using Veza.Authentication.Principals;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Samples.Server;

/// <summary>The <c>Veza:Seed</c> configuration section: teams, users and ready-made keys for trying the API.</summary>
public sealed class SampleSeed
{
    /// <summary>Teams to create.</summary>
    public List<SeedTeam> Teams { get; set; } = [];

    /// <summary>Users to create, with their roles per team.</summary>
    public List<SeedUser> Users { get; set; } = [];

    /// <summary>Key strings to register (mint them with <c>dotnet run -- new-api-key</c>).</summary>
    public List<SeedApiKey> ApiKeys { get; set; } = [];

    /// <summary>Whether to switch the OAuth2 authorization server on at start (it is off by default).</summary>
    public bool OAuth2Enabled { get; set; }

    /// <summary>OAuth2 clients to register (needs <see cref="OAuth2Enabled"/>).</summary>
    public List<SeedOAuthClient> OAuth2Clients { get; set; } = [];

    /// <summary>OAuth2 apps to register in the root team (needs <see cref="OAuth2Enabled"/>).</summary>
    public List<SeedOAuthApp> OAuth2Apps { get; set; } = [];
}

/// <summary>A seeded OAuth2 app: a third-party application that acts for users who sign in and consent.</summary>
public sealed class SeedOAuthApp
{
    /// <summary>The client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The secret of a confidential app (32 to 256 characters); empty for a public app.</summary>
    public string? Secret { get; set; }

    /// <summary>The name users see on the consent page; the client id when empty.</summary>
    public string Name { get; set; } = "";

    /// <summary>The app's Base URL: its redirect URIs lie in its host.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The redirect URIs, matched character for character.</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>The scopes it may ask for: permission names, and <c>offline_access</c> for refresh tokens.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Whether the app is public (no secret, PKCE alone).</summary>
    public bool IsPublic { get; set; }

    /// <summary>Whether registered loopback redirect URIs match with any port (native apps).</summary>
    public bool AllowLoopbackRedirectUris { get; set; }

    /// <summary>Its access-token lifetime; the configured default when not set.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }
}

/// <summary>A seeded OAuth2 client, with a client id and secret of the tester's choosing.</summary>
public sealed class SeedOAuthClient
{
    /// <summary>The client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The secret (32 to 256 characters).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Display name; the client id when empty.</summary>
    public string Name { get; set; } = "";

    /// <summary>The team it acts in.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>Its role in the team; the team-key role when empty.</summary>
    public string? Role { get; set; }

    /// <summary>The scopes it may ask for; every permission of the role when empty.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Its access-token lifetime; the configured default when not set.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }
}

/// <summary>A seeded team.</summary>
public sealed class SeedTeam
{
    /// <summary>Team id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Team name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Whether this is the root team.</summary>
    public bool IsRoot { get; set; }
}

/// <summary>A seeded user.</summary>
public sealed class SeedUser
{
    /// <summary>User id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Whether the user may authenticate.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Team id to role names.</summary>
    public Dictionary<string, List<string>> Roles { get; set; } = [];

    /// <summary>The password for the sign-in page (the user id is the username); without one the user cannot sign in.
    /// Only its Argon2id hash is kept.</summary>
    public string? Password { get; set; }
}

/// <summary>A seeded key.</summary>
public sealed class SeedApiKey
{
    /// <summary>The full key string.</summary>
    public string Key { get; set; } = "";

    /// <summary>Key name.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>Personal</c> or <c>Team</c>.</summary>
    public ApiKeyKind Kind { get; set; }

    /// <summary>The team the key is scoped to.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>For a personal key, its owner.</summary>
    public string? UserId { get; set; }
}

/// <summary>
/// Fills the directory and the accounts from <see cref="SampleSeed"/> on every start (they live in memory), and the
/// stores (keys, the OAuth2 switch, clients and apps) only when they are empty: a restart on a database keeps what
/// users changed. When several instances seed one empty database at once, what another stored first is left as it is.
/// </summary>
internal sealed partial class SampleSeeder(IConfiguration configuration, InMemoryUserDirectory directory, SampleAccounts accounts, ApiKeyService keys,
    SignInSettingsService settings, OAuthClientService clients, OAuthAppService apps, IApiKeyStore keyStore, IOAuthClientStore clientStore,
    IVezaSettingsStore settingsStore, ILogger<SampleSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seed = configuration.GetSection("Veza:Seed").Get<SampleSeed>() ?? new SampleSeed();
        foreach (var team in seed.Teams)
        {
            directory.AddTeam(new VezaTeam(team.Id, team.Name, team.IsRoot));
        }

        foreach (var user in seed.Users)
        {
            directory.AddUser(new VezaUser(user.Id, user.DisplayName, user.IsActive));
            if (!string.IsNullOrEmpty(user.Password))
            {
                await accounts.SetPasswordAsync(user.Id, user.Password, cancellationToken);
            }

            foreach (var (teamId, roles) in user.Roles)
            {
                directory.SetRoles(user.Id, teamId, roles);
            }
        }

        if (!await StoresAreEmptyAsync(cancellationToken))
        {
            LogAlreadySeeded(logger);
            return;
        }

        foreach (var key in seed.ApiKeys)
        {
            var result = await keys.ImportAsync(key.Key, key.Kind, key.Name, key.TeamId,
                key.Kind == ApiKeyKind.Personal ? key.UserId : null, cancellationToken);
            if (result.Result is not (ApiKeyResult.Success or ApiKeyResult.Conflict or ApiKeyResult.DuplicateName))
            {
                throw new InvalidOperationException($"Seed key '{key.Name}' could not be stored: {result.Result} {result.Error}");
            }
        }

        if (seed.OAuth2Enabled && (await settingsStore.GetAsync(cancellationToken)).Version == 0)
        {
            await settings.SetOAuth2EnabledAsync(true, VezaCaller.Host, cancellationToken);
        }

        foreach (var client in seed.OAuth2Clients)
        {
            var created = await clients.CreateAsync(new OAuthClientDraft
            {
                ClientId = client.ClientId,
                Secret = client.Secret,
                Name = string.IsNullOrEmpty(client.Name) ? client.ClientId : client.Name,
                TeamId = client.TeamId,
                Role = client.Role,
                AllowedScopes = client.Scopes.Count == 0 ? null : client.Scopes,
                AccessTokenLifetime = client.AccessTokenLifetime,
            }, VezaCaller.Host, cancellationToken);
            if (created.Result is not (OAuthClientResult.Success or OAuthClientResult.Conflict or OAuthClientResult.DuplicateName))
            {
                throw new InvalidOperationException($"Seed client '{client.ClientId}' could not be stored: {created.Result} {created.Error}");
            }
        }

        if (seed.OAuth2Apps.Count > 0)
        {
            // Apps are registered by a team (whose administrators manage them); the sample's belong to the root team.
            var rootTeam = seed.Teams.FirstOrDefault(t => t.IsRoot)?.Id
                ?? throw new InvalidOperationException("Seed OAuth2 apps need a root team: mark one of Veza:Seed:Teams with \"IsRoot\": true.");
            foreach (var app in seed.OAuth2Apps)
            {
                var created = await apps.CreateAsync(new OAuthAppDraft
                {
                    ClientId = app.ClientId,
                    Secret = string.IsNullOrEmpty(app.Secret) ? null : app.Secret,
                    Name = string.IsNullOrEmpty(app.Name) ? app.ClientId : app.Name,
                    TeamId = rootTeam,
                    BaseUrl = app.BaseUrl,
                    RedirectUris = app.RedirectUris,
                    AllowedScopes = app.Scopes,
                    IsPublic = app.IsPublic,
                    AllowLoopbackRedirectUris = app.AllowLoopbackRedirectUris,
                    AccessTokenLifetime = app.AccessTokenLifetime,
                }, VezaCaller.Host, cancellationToken);
                if (created.Result is not (OAuthClientResult.Success or OAuthClientResult.Conflict or OAuthClientResult.DuplicateName))
                {
                    throw new InvalidOperationException($"Seed app '{app.ClientId}' could not be stored: {created.Result} {created.Error}");
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "The stores hold data already: the seed's keys, clients and apps are not stored again.")]
    private static partial void LogAlreadySeeded(ILogger logger);

    // Nothing was ever stored: no key, no client or app, and the settings never written.
    private async Task<bool> StoresAreEmptyAsync(CancellationToken cancellationToken)
        => (await keyStore.ListAsync(new ApiKeyQuery { PageSize = 1 }, cancellationToken)).Items.Count == 0
            && (await clientStore.ListAsync(new OAuthClientQuery { PageSize = 1 }, cancellationToken)).Items.Count == 0
            && (await settingsStore.GetAsync(cancellationToken)).Version == 0;
}
