using Veza.Authentication.Hosting;

namespace Veza.Authentication.OAuth2;

/// <summary>What a new client should be. Unset values take their defaults.</summary>
public sealed record OAuthClientDraft
{
    /// <summary>The display name (as for API keys: 1 to 128 characters, NFC-normalized, without control or format characters).</summary>
    public required string Name { get; init; }

    /// <summary>The team the client acts in; empty for the caller's team (the host must name one).</summary>
    public required string TeamId { get; init; }

    /// <summary>The role it holds in the team. Default: the team-key role.</summary>
    public string? Role { get; init; }

    /// <summary>The scopes it may ask for; each must be a permission of its role. Default: every permission of the role.</summary>
    public IReadOnlyList<string>? AllowedScopes { get; init; }

    /// <summary>The lifetime of its access tokens. Default: <see cref="OAuthServerOptions.DefaultAccessTokenLifetime"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>When the first secret stops working; <see langword="null"/> for never.</summary>
    public DateTimeOffset? SecretExpiresAt { get; init; }

    /// <summary>A chosen client id (seed data); default a new random one.</summary>
    public string? ClientId { get; init; }

    /// <summary>A chosen first secret (seed data, at least 32 characters); default a new random one.</summary>
    public string? Secret { get; init; }
}
