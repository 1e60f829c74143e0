using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

internal static class ApiKeyResourceMapper
{
    public static string StatusText(ApiKeyStatus status) => status == ApiKeyStatus.Active ? "ACTIVE" : "INACTIVE";

    public static bool TryParseStatus(string value, out ApiKeyStatus status)
    {
        switch (value)
        {
            case "ACTIVE":
                status = ApiKeyStatus.Active;
                return true;
            case "INACTIVE":
                status = ApiKeyStatus.Inactive;
                return true;
            default:
                status = default;
                return false;
        }
    }

    public static async ValueTask<ApiKeyResource> ToResourceAsync(ApiKeyRecord key, IVezaUserDirectory directory, string? accessKey,
        CancellationToken cancellationToken)
    {
        var team = await directory.FindTeamAsync(key.TeamId, cancellationToken).ConfigureAwait(false);
        return ToResource(key, team?.Name ?? string.Empty, accessKey);
    }

    public static ApiKeyResource ToResource(ApiKeyRecord key, string teamName, string? accessKey)
        => new(
            key.Id,
            accessKey ?? string.Empty,
            key.Name,
            key.TeamId,
            teamName,
            key.OwnerUserId,
            VezaErrorWriter.FormatTimestamp(key.CreatedAt),
            VezaErrorWriter.FormatTimestamp(key.LastAccessAt),
            StatusText(key.Status));
}
