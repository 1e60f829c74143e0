using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// OAuth2 clients over HTTP, with the conventions of the team-key API: list, create (the secret is returned once),
/// get, rename (PATCH), <c>{id}:revoke</c>, <c>{id}:reinstate</c>, delete, and secrets (add, remove) for rotation.
/// Administrators only: of the root team for every team, of a team for that team. An administrator of a team can
/// give a client only a role they hold in that team. This class only translates HTTP;
/// <see cref="OAuthClientService"/> decides and audits.
/// </summary>
internal static class OAuthClientManagementEndpoints
{
    private const string What = "OAuth2 clients";

    public static void Map(IEndpointRouteBuilder group, string path)
        => ManagementHttp.MapRegistrations(group, path, What, new RegistrationHandlers(
            ListAsync,
            CreateAsync,
            GetAsync,
            RenameAsync,
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.DeleteAsync(id, a, c.RequestAborted), deleted: true),
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.RevokeAsync(id, a, c.RequestAborted)),
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.ReinstateAsync(id, a, c.RequestAborted)),
            AddSecretAsync,
            (c, caller, id, secretId) => ChangeAsync(c, caller, id, (s, a) => s.RemoveSecretAsync(id, secretId, a, c.RequestAborted))));

    private static OAuthClientService Service(HttpContext http) => http.RequestServices.GetRequiredService<OAuthClientService>();

    private static VezaAuditActor Actor(HttpContext http, ManagementCaller caller)
        => VezaAuditActor.FromRequest(http, caller.Subject, caller.CredentialId, http.User.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value);

    private static async Task ListAsync(HttpContext http, ManagementCaller caller)
    {
        if (!caller.IsTeamAdmin)
        {
            await ManagementHttp.Forbidden(http, "Only administrators manage OAuth2 clients.").ConfigureAwait(false);
            return;
        }

        var teamId = http.Request.Query["team_id"].ToString();
        if (!caller.IsRootAdmin)
        {
            if (teamId.Length > 0 && teamId != caller.TeamId)
            {
                await ManagementHttp.Forbidden(http, "You may list only the clients of your own team.").ConfigureAwait(false);
                return;
            }

            teamId = caller.TeamId;
        }

        var (ok, pageSize, afterId) = await ManagementHttp.ReadPageAsync(http, ClientSecretVerifier.IsPlausible).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var page = await Service(http).ListAsync(new OAuthClientQuery { TeamId = teamId.Length == 0 ? null : teamId, AfterId = afterId, PageSize = pageSize },
            http.RequestAborted).ConfigureAwait(false);
        var hasMore = page.HasMore && page.Items.Count > 0;
        await ManagementHttp.Ok(http, new OAuthClientListResponse([.. page.Items.Select(c => OAuthClientResource.From(c))],
            hasMore ? PageToken.Create(page.Items[^1].Id) : string.Empty, hasMore), VezaJsonContext.Default.OAuthClientListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext http, ManagementCaller caller)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.CreateOAuthClientRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var teamId = body.TeamId ?? caller.TeamId;
        if (!caller.CanManageClientsOf(teamId))
        {
            await ManagementHttp.Forbidden(http, "Only an administrator of the team (or of the root team) may create its clients.").ConfigureAwait(false);
            return;
        }

        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<VezaAuthenticationOptions>>().Value;
        var role = body.Role ?? options.TeamKeyRole;
        if (!caller.IsRootAdmin)
        {
            var directory = http.RequestServices.GetRequiredService<IVezaUserDirectory>();
            var held = await directory.GetRolesAsync(caller.UserId!, teamId, http.RequestAborted).ConfigureAwait(false);
            if (!held.Contains(role, StringComparer.Ordinal))
            {
                await ManagementHttp.Forbidden(http, $"You can give a client only a role you hold in the team; you do not hold '{role}'.").ConfigureAwait(false);
                return;
            }
        }

        if (body.AccessTokenLifetimeSeconds is < 1 or > int.MaxValue)
        {
            await ManagementHttp.BadRequest(http, "access_token_lifetime_seconds must be a positive number of seconds.", "INVALID_ARGUMENT").ConfigureAwait(false);
            return;
        }

        var change = await Service(http).CreateAsync(new OAuthClientDraft
        {
            Name = body.Name ?? string.Empty,
            TeamId = teamId,
            Role = role,
            AllowedScopes = body.Scopes,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            SecretExpiresAt = body.SecretExpiresAt,
        }, Actor(http, caller), http.RequestAborted).ConfigureAwait(false);
        if (await WriteFailureAsync(http, change).ConfigureAwait(false))
        {
            return;
        }

        await ManagementHttp.Ok(http, new OAuthClientValueResponse(OAuthClientResource.From(change.Client!, change.Secret)),
            VezaJsonContext.Default.OAuthClientValueResponse).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var client = await FindManageableAsync(http, caller, id).ConfigureAwait(false);
        if (client is not null)
        {
            await ManagementHttp.Ok(http, new OAuthClientValueResponse(OAuthClientResource.From(client)), VezaJsonContext.Default.OAuthClientValueResponse)
                .ConfigureAwait(false);
        }
    }

    private static async Task RenameAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.RenameOAuthClientRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        await ChangeAsync(http, caller, id, (s, a) => s.RenameAsync(id, body.Name ?? string.Empty, a, http.RequestAborted)).ConfigureAwait(false);
    }

    private static async Task AddSecretAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var body = await ManagementHttp.ReadSecretRequestAsync(http).ConfigureAwait(false);
        if (body is null || await FindManageableAsync(http, caller, id).ConfigureAwait(false) is null)
        {
            return;
        }

        var change = await Service(http).AddSecretAsync(id, body.ExpiresAt, Actor(http, caller), http.RequestAborted).ConfigureAwait(false);
        if (await WriteFailureAsync(http, change).ConfigureAwait(false))
        {
            return;
        }

        await ManagementHttp.Ok(http, new ClientSecretValueResponse(change.SecretId!, change.Secret!, OAuthClientResource.From(change.Client!)),
            VezaJsonContext.Default.ClientSecretValueResponse).ConfigureAwait(false);
    }

    private static async Task ChangeAsync(HttpContext http, ManagementCaller caller, string id,
        Func<OAuthClientService, VezaAuditActor, ValueTask<OAuthClientChange>> change, bool deleted = false)
    {
        var before = await FindManageableAsync(http, caller, id).ConfigureAwait(false);
        if (before is null)
        {
            return;
        }

        var result = await change(Service(http), Actor(http, caller)).ConfigureAwait(false);
        if (await WriteFailureAsync(http, result).ConfigureAwait(false))
        {
            return;
        }

        var shown = deleted ? before with { Status = OAuthClientStatus.Inactive } : result.Client ?? before;
        await ManagementHttp.Ok(http, new OAuthClientValueResponse(OAuthClientResource.From(shown)), VezaJsonContext.Default.OAuthClientValueResponse)
            .ConfigureAwait(false);
    }

    // A client the caller may not manage is answered as not found, so ids of other teams' clients are not confirmed.
    private static async Task<OAuthClientRecord?> FindManageableAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var client = await Service(http).FindAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (client is null || !await ManagementHttp.MayManageAsync(http, client).ConfigureAwait(false))
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, "No such OAuth2 client.").ConfigureAwait(false);
            return null;
        }

        return client;
    }

    // The management answer for a refused change, shared by clients and apps; false when the change succeeded.
    internal static async Task<bool> WriteFailureAsync(HttpContext http, OAuthClientChange change, string noun = "client")
    {
        var written = change.Result switch
        {
            OAuthClientResult.Success => null,
            OAuthClientResult.NotFound => VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, $"No such OAuth2 {noun} or secret."),
            OAuthClientResult.DuplicateName => VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, $"Another {noun} of the team has that name."),
            OAuthClientResult.QuotaExceeded => VezaErrorWriter.WriteAsync(http, VezaErrorKind.ResourceExhausted,
                $"The team has as many {noun}s as allowed, or the {noun} as many secrets (two).", "CLIENT_QUOTA_EXCEEDED"),
            OAuthClientResult.Invalid => ManagementHttp.BadRequest(http, change.Error ?? "A value is not acceptable.", "INVALID_ARGUMENT"),
            OAuthClientResult.UnknownTeam => ManagementHttp.BadRequest(http, "team_id does not name a team.", "UNKNOWN_TEAM"),
            OAuthClientResult.ServerOff => VezaErrorWriter.WriteAsync(http, VezaErrorKind.FailedPrecondition,
                $"The OAuth2 authorization server is switched off (sign-in settings); {noun}s cannot be created or changed.", "OAUTH2_SERVER_DISABLED"),
            _ => VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, "The client id is taken."),
        };
        if (written is null)
        {
            return false;
        }

        await written.ConfigureAwait(false);
        return true;
    }
}

/// <summary>The sign-in settings resource: read and changed by administrators of the root team only.</summary>
internal static class SignInSettingsEndpoints
{
    public static void Map(IEndpointRouteBuilder group, string path)
    {
        group.MapGet(path, (HttpContext c) => ManagementHttp.RunAsync(c, "sign-in settings", caller => GetAsync(c, caller)));
        group.MapPatch(path, (HttpContext c) => ManagementHttp.RunAsync(c, "sign-in settings", caller => UpdateAsync(c, caller)));
        ManagementHttp.MethodNotAllowed(group, path, "GET, PATCH");
    }

    private static async Task GetAsync(HttpContext http, ManagementCaller caller)
    {
        if (!caller.IsRootAdmin)
        {
            await ManagementHttp.Forbidden(http, "Only administrators of the root team see the sign-in settings.").ConfigureAwait(false);
            return;
        }

        var settings = await http.RequestServices.GetRequiredService<SignInSettingsService>().GetAsync(http.RequestAborted).ConfigureAwait(false);
        await WriteAsync(http, settings).ConfigureAwait(false);
    }

    private static async Task UpdateAsync(HttpContext http, ManagementCaller caller)
    {
        if (!caller.IsRootAdmin)
        {
            await ManagementHttp.Forbidden(http, "Only administrators of the root team change the sign-in settings.").ConfigureAwait(false);
            return;
        }

        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.UpdateSignInSettingsRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (body.Oauth2AuthorizationServerEnabled is not { } enabled)
        {
            await ManagementHttp.BadRequest(http, "oauth2_authorization_server_enabled (true or false) is required.", "INVALID_ARGUMENT").ConfigureAwait(false);
            return;
        }

        var actor = VezaAuditActor.FromRequest(http, caller.Subject, caller.CredentialId, http.User.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value);
        var (result, settings) = await http.RequestServices.GetRequiredService<SignInSettingsService>()
            .SetOAuth2EnabledAsync(enabled, actor, http.RequestAborted).ConfigureAwait(false);
        if (result != OAuthStoreResult.Success)
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, "The settings changed meanwhile; read them and try again.", "CONCURRENT_CHANGE")
                .ConfigureAwait(false);
            return;
        }

        await WriteAsync(http, settings).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext http, VezaSignInSettings settings)
        => ManagementHttp.Ok(http, new SignInSettingsResponse(settings.OAuth2Enabled,
            settings.UpdatedAt is { } at ? VezaErrorWriter.FormatTimestamp(at) : string.Empty, settings.UpdatedBy ?? string.Empty),
            VezaJsonContext.Default.SignInSettingsResponse);
}
