using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>What a new key should be. Unset values come from the caller.</summary>
public sealed record ApiKeyDraft
{
    /// <summary>Personal or team key.</summary>
    public required ApiKeyKind Kind { get; init; }

    /// <summary>The name (see <see cref="ApiKeyService.IsValidName"/>), unique among the owner's keys of the team
    /// (personal keys) or the team's keys (team keys).</summary>
    public required string Name { get; init; }

    /// <summary>The team the key is scoped to. Default: the caller's team; the host must name one.</summary>
    public string? TeamId { get; init; }

    /// <summary>The user a personal key acts as. Default: the caller, who may name only themselves; the host must name
    /// one. A team key has none.</summary>
    public string? OwnerUserId { get; init; }
}
