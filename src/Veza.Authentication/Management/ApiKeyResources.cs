using System.Text.Json.Serialization;

namespace Veza.Authentication.Management;

/// <summary>A key as the management API shows it. <c>access_key</c> is empty except in the create response.</summary>
internal sealed record ApiKeyResource(
    string Id,
    string AccessKey,
    string Name,
    string TeamId,
    string TeamName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId,
    string CreatedAt,
    string LastAccessAt,
    string Status);

internal sealed record ApiKeyValueResponse(ApiKeyResource Value);

internal sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResource> Values, string NextPageToken, bool HasMore);

internal sealed record EmptyResponse;

internal sealed record CreateApiKeyRequest(string? Name, string? TeamId);

internal sealed record RenameApiKeyRequest(string? Name);
