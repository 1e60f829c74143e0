using Veza.Authentication.ApiKeys;

namespace Veza.Authentication.OAuth2;

/// <summary>What makes a client's registration acceptable.</summary>
public sealed partial class OAuthClientService
{
    // The draft's values with their defaults, or why one is not acceptable.
    private OAuthClientChange? Validate(OAuthClientDraft draft, out string name, out string role, out string[] scopes, out TimeSpan lifetime)
    {
        role = draft.Role ?? _options.TeamKeyRole;
        scopes = [];
        lifetime = draft.AccessTokenLifetime ?? (_options.OAuth2.DefaultAccessTokenLifetime < _options.OAuth2.MaxAccessTokenLifetime
            ? _options.OAuth2.DefaultAccessTokenLifetime : _options.OAuth2.MaxAccessTokenLifetime);
        if (!CredentialNames.TryNormalize(draft.Name, out name))
        {
            return Invalid("name must be " + CredentialNames.Rule + ".");
        }

        if (string.IsNullOrWhiteSpace(draft.TeamId))
        {
            return Invalid("team_id is required.");
        }

        if (!_options.Roles.ContainsKey(role))
        {
            return Invalid($"role '{role}' is not a role of this service.");
        }

        var granted = _roles.PermissionsOf(role);
        scopes = draft.AllowedScopes is null ? [.. granted] : [.. draft.AllowedScopes.Distinct(StringComparer.Ordinal)];
        foreach (var scope in scopes)
        {
            if (!granted.Contains(scope, StringComparer.Ordinal))
            {
                return Invalid($"scope '{scope}' is not a permission of role '{role}'.");
            }
        }

        if (scopes.Length == 0)
        {
            return Invalid("a client needs at least one allowed scope.");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > _options.OAuth2.MaxAccessTokenLifetime)
        {
            return Invalid($"access_token_lifetime must be from 1 to {(int)_options.OAuth2.MaxAccessTokenLifetime.TotalSeconds} seconds.");
        }

        if (draft.ClientId is not null && !ClientSecretVerifier.IsPlausible(draft.ClientId))
        {
            return Invalid("client_id must be 1 to 64 ASCII letters, digits, '-', '_' or '.'.");
        }

        if (draft.Secret is not null && draft.Secret.Length is < 32 or > 256)
        {
            return Invalid("a chosen secret must be 32 to 256 characters.");
        }

        if (draft.SecretExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            return Invalid("the secret's expiry must be in the future.");
        }

        return null;
    }
}
