using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
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

/// <summary>Fills the in-memory directory and key store from <see cref="SampleSeed"/> when the host starts.</summary>
internal sealed class SampleSeeder(IConfiguration configuration, InMemoryUserDirectory directory, ApiKeyService keys,
    SignInSettingsService settings, OAuthClientService clients) : IHostedService
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
            foreach (var (teamId, roles) in user.Roles)
            {
                directory.SetRoles(user.Id, teamId, roles);
            }
        }

        foreach (var key in seed.ApiKeys)
        {
            var result = await keys.ImportAsync(key.Key, key.Kind, key.Name, key.TeamId,
                key.Kind == ApiKeyKind.Personal ? key.UserId : null, cancellationToken);
            if (result.Result != ApiKeyStoreResult.Success)
            {
                throw new InvalidOperationException($"Seed key '{key.Name}' could not be stored: {result.Result}.");
            }
        }

        if (seed.OAuth2Enabled)
        {
            await settings.SetOAuth2EnabledAsync(true, VezaAuditActor.System, cancellationToken);
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
            }, VezaAuditActor.System, cancellationToken);
            if (created.Result != OAuthClientResult.Success)
            {
                throw new InvalidOperationException($"Seed client '{client.ClientId}' could not be stored: {created.Result} {created.Error}");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
