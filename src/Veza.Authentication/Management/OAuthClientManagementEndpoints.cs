using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// OAuth2 clients over HTTP, with the conventions of the team-key API: list, create (the secret is returned once),
/// get, rename (PATCH), <c>{id}:revoke</c>, <c>{id}:reinstate</c>, delete, and secrets (add, remove) for rotation.
/// This class only translates HTTP; <see cref="OAuthClientService"/> decides who may do what (administrators only: of
/// the root team for every team, of a team for that team, with roles they hold) and audits.
/// </summary>
internal static class OAuthClientManagementEndpoints
{
    private const string What = "OAuth2 clients";

    public static void Map(IEndpointRouteBuilder group, string path)
        => ManagementHttp.MapRegistrations(group, path, What, new RegistrationHandlers(
            ListAsync,
            CreateAsync,
            (c, caller, id) => AnswerAsync(c, Service(c).GetAsync(OAuthClientKind.Client, id, caller, c.RequestAborted)),
            RenameAsync,
            (c, caller, id) => AnswerAsync(c, Service(c).DeleteAsync(id, caller, c.RequestAborted), deleted: true),
            (c, caller, id) => AnswerAsync(c, Service(c).RevokeAsync(id, caller, c.RequestAborted)),
            (c, caller, id) => AnswerAsync(c, Service(c).ReinstateAsync(id, caller, c.RequestAborted)),
            AddSecretAsync,
            (c, caller, id, secretId) => AnswerAsync(c, Service(c).RemoveSecretAsync(id, secretId, caller, c.RequestAborted))));

    private static OAuthClientService Service(HttpContext http) => http.RequestServices.GetRequiredService<OAuthClientService>();

    private static async Task ListAsync(HttpContext http, VezaCaller caller)
    {
        var (ok, pageSize, afterId) = await ManagementHttp.ReadPageAsync(http, ClientSecretVerifier.IsPlausible).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var teamId = http.Request.Query["team_id"].ToString();
        var page = await Service(http).ListAsync(new OAuthClientQuery { TeamId = teamId.Length == 0 ? null : teamId, AfterId = afterId, PageSize = pageSize },
            caller, http.RequestAborted).ConfigureAwait(false);
        if (await WriteFailureAsync(http, new OAuthClientChange(page.Result, Error: page.Error)).ConfigureAwait(false))
        {
            return;
        }

        var hasMore = page.HasMore && page.Items.Count > 0;
        await ManagementHttp.Ok(http, new OAuthClientListResponse([.. page.Items.Select(c => OAuthClientResource.From(c))],
            hasMore ? PageToken.Create(page.Items[^1].Id) : string.Empty, hasMore), VezaJsonContext.Default.OAuthClientListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext http, VezaCaller caller)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.CreateOAuthClientRequest).ConfigureAwait(false);
        if (body is null || !await LifetimeIsValidAsync(http, body.AccessTokenLifetimeSeconds).ConfigureAwait(false))
        {
            return;
        }

        var change = await Service(http).CreateAsync(new OAuthClientDraft
        {
            Name = body.Name ?? string.Empty,
            TeamId = body.TeamId ?? string.Empty,
            Role = body.Role,
            AllowedScopes = body.Scopes,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            SecretExpiresAt = body.SecretExpiresAt,
        }, caller, http.RequestAborted).ConfigureAwait(false);
        if (!await WriteFailureAsync(http, change).ConfigureAwait(false))
        {
            await ManagementHttp.Ok(http, new OAuthClientValueResponse(OAuthClientResource.From(change.Client!, change.Secret)),
                VezaJsonContext.Default.OAuthClientValueResponse).ConfigureAwait(false);
        }
    }

    private static async Task RenameAsync(HttpContext http, VezaCaller caller, string id)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.RenameOAuthClientRequest).ConfigureAwait(false);
        if (body is not null)
        {
            await AnswerAsync(http, Service(http).RenameAsync(id, body.Name ?? string.Empty, caller, http.RequestAborted)).ConfigureAwait(false);
        }
    }

    private static async Task AddSecretAsync(HttpContext http, VezaCaller caller, string id)
    {
        var body = await ManagementHttp.ReadSecretRequestAsync(http).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var change = Shown(await Service(http).AddSecretAsync(id, body.ExpiresAt, caller, http.RequestAborted).ConfigureAwait(false));
        if (!await WriteFailureAsync(http, change).ConfigureAwait(false))
        {
            await ManagementHttp.Ok(http, new ClientSecretValueResponse(change.SecretId!, change.Secret!, OAuthClientResource.From(change.Client!)),
                VezaJsonContext.Default.ClientSecretValueResponse).ConfigureAwait(false);
        }
    }

    // The client in the value envelope (a deleted one with status INACTIVE, as for keys), or the error.
    private static async Task AnswerAsync(HttpContext http, ValueTask<OAuthClientChange> pending, bool deleted = false)
    {
        var change = Shown(await pending.ConfigureAwait(false));
        if (!await WriteFailureAsync(http, change).ConfigureAwait(false))
        {
            var shown = deleted ? change.Client! with { Status = OAuthClientStatus.Inactive } : change.Client!;
            await ManagementHttp.Ok(http, new OAuthClientValueResponse(OAuthClientResource.From(shown)), VezaJsonContext.Default.OAuthClientValueResponse)
                .ConfigureAwait(false);
        }
    }

    // A change that succeeded but whose client can no longer be read (deleted meanwhile) is answered as not found.
    internal static OAuthClientChange Shown(OAuthClientChange change)
        => change is { Result: OAuthClientResult.Success, Client: null } ? change with { Result = OAuthClientResult.NotFound } : change;

    // The request's lifetime in seconds, before it becomes a TimeSpan; the service checks it against the maximum.
    internal static async Task<bool> LifetimeIsValidAsync(HttpContext http, long? seconds)
    {
        if (seconds is < 1 or > int.MaxValue)
        {
            await ManagementHttp.BadRequest(http, "access_token_lifetime_seconds must be a positive number of seconds.", "INVALID_ARGUMENT").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    // The management answer for a refused operation, shared by clients and apps; false when it succeeded.
    internal static async Task<bool> WriteFailureAsync(HttpContext http, OAuthClientChange change, string noun = "client")
    {
        var written = change.Result switch
        {
            OAuthClientResult.Success => null,
            OAuthClientResult.Forbidden => ManagementHttp.Forbidden(http, change.Error ?? $"You may not manage this {noun}."),
            OAuthClientResult.NotFound => VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, change.Error ?? $"No such OAuth2 {noun} or secret."),
            OAuthClientResult.DuplicateName => VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, $"Another {noun} of the team has that name."),
            OAuthClientResult.QuotaExceeded => VezaErrorWriter.WriteAsync(http, VezaErrorKind.ResourceExhausted,
                $"The team has as many {noun}s as allowed, or the {noun} as many secrets (two).", "CLIENT_QUOTA_EXCEEDED"),
            OAuthClientResult.Invalid => ManagementHttp.BadRequest(http, change.Error ?? "A value is not acceptable.", "INVALID_ARGUMENT"),
            OAuthClientResult.UnknownTeam => ManagementHttp.BadRequest(http, "team_id does not name a team.", "UNKNOWN_TEAM"),
            OAuthClientResult.ServerOff => VezaErrorWriter.WriteAsync(http, VezaErrorKind.FailedPrecondition,
                $"The OAuth2 authorization server is switched off (sign-in settings); {noun}s cannot be created or changed.", "OAUTH2_SERVER_DISABLED"),
            _ => VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, $"The {noun} id is taken."),
        };
        if (written is null)
        {
            return false;
        }

        await written.ConfigureAwait(false);
        return true;
    }
}
