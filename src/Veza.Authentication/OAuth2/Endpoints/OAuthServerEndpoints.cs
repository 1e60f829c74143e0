using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Bearer;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The authorization server's endpoints: metadata (RFC 8414), JWKS, token (client credentials, RFC 6749 §4.4),
/// revocation (RFC 7009) and introspection (RFC 7662). While the server is switched off every one answers 404.
/// </summary>
internal static class OAuthServerEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, OAuthServerOptions options)
    {
        endpoints.MapGet(OAuthServerOptions.MetadataPath, MetadataAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(options.JwksPath, JwksAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.Map(options.TokenPath, TokenAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        endpoints.Map(options.RevocationPath, RevokeAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        endpoints.Map(options.IntrospectionPath, IntrospectionEndpoint.IntrospectAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
    }

    // 404 while the server is off; 503 when the settings cannot be read (fail closed).
    internal static async Task<bool> IsOnAsync(HttpContext context)
    {
        try
        {
            if (await context.RequestServices.GetRequiredService<OAuthServerSwitch>().IsEnabledAsync(context.RequestAborted).ConfigureAwait(false))
            {
                return true;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            OAuthProtocol.NoStore(context.Response);
            return false;
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            await OAuthProtocol.WriteErrorAsync(context, new OAuthError(503, "temporarily_unavailable", "The authorization server is temporarily unavailable."), false)
                .ConfigureAwait(false);
            return false;
        }
    }

    private static async Task MetadataAsync(HttpContext context)
    {
        if (!await IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
        var issuer = options.OAuth2.Issuer!;
        var scopes = options.Roles.Values.SelectMany(p => p).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        context.Response.Headers.CacheControl = "public, max-age=300";
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString("issuer", issuer);
            json.WriteString("token_endpoint", Url(issuer, options.OAuth2.TokenPath));
            json.WriteString("jwks_uri", Url(issuer, options.OAuth2.JwksPath));
            json.WriteString("revocation_endpoint", Url(issuer, options.OAuth2.RevocationPath));
            json.WriteString("introspection_endpoint", Url(issuer, options.OAuth2.IntrospectionPath));
            var apps = OAuthServerServices.AppsAvailable(context.RequestServices);
            if (apps)
            {
                json.WriteString("authorization_endpoint", Url(issuer, options.OAuth2.AuthorizationPath));
                json.WriteBoolean("authorization_response_iss_parameter_supported", true);
                WriteArray(json, "code_challenge_methods_supported", ["S256"]);
                WriteArray(json, "response_modes_supported", ["query"]);
            }

            WriteArray(json, "grant_types_supported", apps ? ["client_credentials", "authorization_code", "refresh_token"] : ["client_credentials"]);
            WriteArray(json, "token_endpoint_auth_methods_supported", apps ? ["client_secret_basic", "client_secret_post", "none"] : ["client_secret_basic", "client_secret_post"]);
            WriteArray(json, "revocation_endpoint_auth_methods_supported", apps ? ["client_secret_basic", "client_secret_post", "none"] : ["client_secret_basic", "client_secret_post"]);
            WriteArray(json, "introspection_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]);
            WriteArray(json, "response_types_supported", apps ? ["code"] : []);
            WriteArray(json, "scopes_supported", apps ? scopes.Append(OAuthServerOptions.OfflineAccessScope) : scopes);
        }).ConfigureAwait(false);
    }

    private static async Task JwksAsync(HttpContext context)
    {
        if (!await IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var keys = await context.RequestServices.GetRequiredService<SigningKeyRing>().GetAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=300";
        await context.Response.Body.WriteAsync(keys.Jwks, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task TokenAsync(HttpContext context)
    {
        if (!await IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var (form, formError) = await OAuthProtocol.ReadFormAsync(context.Request).ConfigureAwait(false);
        if (formError is not null)
        {
            await RefuseAsync(context, formError, false, null, "malformed request").ConfigureAwait(false);
            return;
        }

        var (clientId, secret, basic, clientError) = OAuthProtocol.ReadClient(context.Request, form!);
        if (clientError is not null)
        {
            await RefuseAsync(context, clientError, basic, clientId, "client authentication missing or malformed").ConfigureAwait(false);
            return;
        }

        if (!form!.TryGetValue("grant_type", out var grantType))
        {
            await RefuseAsync(context, OAuthError.InvalidRequest("grant_type is required."), basic, clientId, "no grant type").ConfigureAwait(false);
            return;
        }

        var client = await AuthenticateClientAsync(context, clientId!, secret, basic, allowPublic: true).ConfigureAwait(false);
        if (client is null)
        {
            return;
        }

        switch (grantType)
        {
            case "client_credentials" when client.Kind == OAuthClientKind.Client:
                await ClientCredentialsAsync(context, form, client, basic).ConfigureAwait(false);
                return;
            case "authorization_code" or "refresh_token" when client.Kind == OAuthClientKind.App && context.RequestServices.GetService<UserGrants>() is { } grants:
                await UserGrantAsync(context, form, client, basic, grants, grantType).ConfigureAwait(false);
                return;
            case "client_credentials" or "authorization_code" or "refresh_token":
                await RefuseAsync(context, new OAuthError(400, "unauthorized_client", "This client may not use this grant type."), basic, clientId, "grant not allowed for client")
                    .ConfigureAwait(false);
                return;
            default:
                await RefuseAsync(context, new OAuthError(400, "unsupported_grant_type", "Supported grants: client_credentials, authorization_code, refresh_token."), basic,
                    clientId, "unsupported grant").ConfigureAwait(false);
                return;
        }
    }

    private static async Task UserGrantAsync(HttpContext context, Dictionary<string, string> form, ClientSnapshot app, bool basic, UserGrants grants, string grantType)
    {
        UserTokens? tokens;
        OAuthError? error;
        try
        {
            (tokens, error) = grantType == "authorization_code"
                ? await grants.RedeemAsync(app, form, context.RequestAborted).ConfigureAwait(false)
                : await grants.RefreshAsync(app, form, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            (tokens, error) = (null, new OAuthError(503, "temporarily_unavailable", "Tokens cannot be issued right now."));
        }

        if (tokens is null)
        {
            await RefuseAsync(context, error!, basic, app.Id, grantType + " refused").ConfigureAwait(false);
            return;
        }

        context.RequestServices.GetRequiredService<Veza.Authentication.ApiKeys.ClientUsageRecorder>().Record(app.Id, tokens.Claims.IssuedAt);
        await AuditAsync(context, "oauth2.token.issue", "success", app.Id, tokens.Claims.TeamId, kind: OAuthClientKind.App).ConfigureAwait(false);
        OAuthProtocol.NoStore(context.Response);
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString("access_token", tokens.AccessToken);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", (long)(tokens.Claims.ExpiresAt - tokens.Claims.IssuedAt).TotalSeconds);
            json.WriteString("scope", string.Join(' ', tokens.Scopes));
            if (tokens.RefreshToken is not null)
            {
                json.WriteString("refresh_token", tokens.RefreshToken);
            }
        }).ConfigureAwait(false);
    }

    private static async Task ClientCredentialsAsync(HttpContext context, Dictionary<string, string> form, ClientSnapshot client, bool basic)
    {
        var clientId = client.Id;
        var roles = context.RequestServices.GetRequiredService<VezaPrincipalResolver>();
        var rolePermissions = roles.PermissionsOf(client.Role);
        string[] requested = form.TryGetValue("scope", out var scope) ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : client.AllowedScopes;
        foreach (var wanted in requested)
        {
            if (!client.AllowedScopes.Contains(wanted, StringComparer.Ordinal))
            {
                await RefuseAsync(context, new OAuthError(400, "invalid_scope", "A requested scope is unknown or not allowed for this client."), basic, clientId,
                    "scope not allowed").ConfigureAwait(false);
                return;
            }
        }

        // requested ∩ allowed ∩ what the client's role grants now: a scope never means more than a permission.
        var granted = requested.Distinct(StringComparer.Ordinal).Where(s => rolePermissions.Contains(s, StringComparer.Ordinal)).ToArray();
        if (granted.Length == 0)
        {
            await RefuseAsync(context, new OAuthError(400, "invalid_scope", "None of the requested scopes is granted by the client's role."), basic, clientId,
                "no scope granted").ConfigureAwait(false);
            return;
        }

        var codec = context.RequestServices.GetRequiredService<AccessTokenCodec>();
        string token;
        AccessTokenClaims claims;
        try
        {
            (token, claims) = await codec.CreateAsync(client.Id, client.TeamId, client.Role, client.SecretId, granted, client.AccessTokenLifetime, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            await RefuseAsync(context, new OAuthError(503, "temporarily_unavailable", "Tokens cannot be issued right now."), basic, clientId, "signing keys unavailable")
                .ConfigureAwait(false);
            return;
        }

        context.RequestServices.GetRequiredService<Veza.Authentication.ApiKeys.ClientUsageRecorder>().Record(client.Id, claims.IssuedAt);
        await AuditAsync(context, "oauth2.token.issue", "success", client.Id, client.TeamId).ConfigureAwait(false);
        OAuthProtocol.NoStore(context.Response);
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString("access_token", token);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", (long)(claims.ExpiresAt - claims.IssuedAt).TotalSeconds);
            json.WriteString("scope", string.Join(' ', granted));
        }).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(HttpContext context)
    {
        var (client, token, basic) = await ReadTokenRequestAsync(context, allowPublic: true).ConfigureAwait(false);
        if (client is null)
        {
            return;
        }

        // RFC 7009 §2.2: an invalid, expired or unknown token is answered 200 as well. A token of another client is
        // not revoked, and the answer is the same, so a client learns nothing about other clients' tokens.
        var services = context.RequestServices;
        var claims = AccessTokenAuthenticator.LooksLikeJwt(token)
            ? await services.GetRequiredService<AccessTokenCodec>().ValidateAsync(token, validateLifetime: false, context.RequestAborted).ConfigureAwait(false)
            : null;
        var time = services.GetRequiredService<TimeProvider>();
        if (claims is null && client.Kind == OAuthClientKind.App && services.GetService<UserGrants>() is { } grants)
        {
            // Not a JWT: perhaps one of the app's refresh tokens, whose whole grant is then revoked.
            try
            {
                if (await grants.RevokeRefreshTokenAsync(client.Id, token, context.RequestAborted).ConfigureAwait(false))
                {
                    await AuditAsync(context, "oauth2.refresh_token.revoke", "success", client.Id, null, kind: OAuthClientKind.App).ConfigureAwait(false);
                }
            }
            catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
            {
                context.Response.Headers.RetryAfter = "5";
                await OAuthProtocol.WriteErrorAsync(context, new OAuthError(503, "temporarily_unavailable", "The revocation could not be recorded; try again."), basic)
                    .ConfigureAwait(false);
                return;
            }
        }

        if (claims is not null && claims.ClientId == client.Id && claims.ExpiresAt > time.GetUtcNow() - TimeSpan.FromMinutes(5))
        {
            try
            {
                await services.GetRequiredService<TokenRevocationList>()
                    .RevokeAsync(new RevokedTokenRecord(claims.TokenId, claims.ClientId, claims.ExpiresAt, time.GetUtcNow()), context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
            {
                context.Response.Headers.RetryAfter = "5";
                await OAuthProtocol.WriteErrorAsync(context, new OAuthError(503, "temporarily_unavailable", "The revocation could not be recorded; try again."), basic)
                    .ConfigureAwait(false);
                return;
            }

            await AuditAsync(context, "oauth2.token.revoke", "success", client.Id, claims.TeamId, claims.TokenId, kind: client.Kind).ConfigureAwait(false);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        OAuthProtocol.NoStore(context.Response);
    }

    // What revocation and introspection share: the server is on, the client authenticates, and a token is named. On
    // failure the answer has been written and the client is null.
    internal static async Task<(ClientSnapshot? Client, string Token, bool Basic)> ReadTokenRequestAsync(HttpContext context, bool allowPublic)
    {
        if (!await IsOnAsync(context).ConfigureAwait(false))
        {
            return (null, string.Empty, false);
        }

        var (form, basic, client) = await ReadAuthenticatedAsync(context, allowPublic).ConfigureAwait(false);
        if (client is null)
        {
            return (null, string.Empty, basic);
        }

        if (!form!.TryGetValue("token", out var token))
        {
            await RefuseAsync(context, OAuthError.InvalidRequest("token is required."), basic, client.Id, "no token").ConfigureAwait(false);
            return (null, string.Empty, basic);
        }

        return (client, token, basic);
    }

    private static async Task<(Dictionary<string, string>? Form, bool Basic, ClientSnapshot? Client)> ReadAuthenticatedAsync(HttpContext context, bool allowPublic)
    {
        var (form, formError) = await OAuthProtocol.ReadFormAsync(context.Request).ConfigureAwait(false);
        if (formError is not null)
        {
            await RefuseAsync(context, formError, false, null, "malformed request").ConfigureAwait(false);
            return (null, false, null);
        }

        var (clientId, secret, basic, clientError) = OAuthProtocol.ReadClient(context.Request, form!);
        if (clientError is not null)
        {
            await RefuseAsync(context, clientError, basic, clientId, "client authentication missing or malformed").ConfigureAwait(false);
            return (null, basic, null);
        }

        var client = await AuthenticateClientAsync(context, clientId!, secret, basic, allowPublic).ConfigureAwait(false);
        return (form, basic, client);
    }

    // The client's id and secret, checked like an API key, or a public app's id alone where the endpoint accepts one;
    // on failure the answer has been written.
    private static async Task<ClientSnapshot?> AuthenticateClientAsync(HttpContext context, string clientId, string? secret, bool basic, bool allowPublic)
    {
        OAuthError error;
        string reason;
        AuthenticationFailureKind kind;
        Exception? storeError = null;
        try
        {
            var verifier = context.RequestServices.GetRequiredService<ClientSecretVerifier>();
            if (secret is null && !allowPublic)
            {
                throw new CredentialRejectedException(VezaAuthenticationFailureKind.WrongSecret, "client secret is required");
            }

            return secret is null
                ? await verifier.IdentifyPublicAsync(clientId, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false)
                : await verifier.VerifyAsync(clientId, secret, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CredentialRejectedException ex)
        {
            (error, reason, kind) = (OAuthError.InvalidClient(), ex.Reason, AuthenticationFailureKind.Rejected);
        }
        catch (CredentialThrottledException ex)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(ex.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            (error, reason, kind) = (new OAuthError(429, "temporarily_unavailable", "Too many failed attempts from this address. Try again later."), "throttled",
                AuthenticationFailureKind.Throttled);
        }
        catch (SecretCheckBusyException)
        {
            context.Response.Headers.RetryAfter = "1";
            (error, reason, kind) = (new OAuthError(503, "temporarily_unavailable", "The server is busy. Try again shortly."), "busy", AuthenticationFailureKind.Busy);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            (error, reason, kind, storeError) = (new OAuthError(503, "temporarily_unavailable", "The server is temporarily unavailable."), "store unavailable",
                AuthenticationFailureKind.Unavailable, ex);
        }

        await RefuseAsync(context, error, basic, clientId, reason, kind, storeError).ConfigureAwait(false);
        return null;
    }

    // Every refused request of the token, revocation and introspection endpoints: logged at Debug, counted in the
    // minute's Warning summary, and audited aggregated (a flood is never one event per request). The caller is not
    // authenticated: the client id it claimed is the target, never the actor.
    private static async Task RefuseAsync(HttpContext context, OAuthError error, bool basic, string? clientId, string reason,
        AuthenticationFailureKind kind = AuthenticationFailureKind.Refused, Exception? storeError = null)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2;
        var path = context.Request.Path;
        var action = path.Equals(options.RevocationPath, StringComparison.OrdinalIgnoreCase) ? "oauth2.revoke.refuse"
            : path.Equals(options.IntrospectionPath, StringComparison.OrdinalIgnoreCase) ? "oauth2.introspect.refuse"
            : "oauth2.token.refuse";
        await context.RequestServices.GetRequiredService<RefusalAuditor>().RecordAsync(context, action, error.Error, "oauth2_client",
            clientId is not null && ClientSecretVerifier.IsPlausible(clientId) ? clientId : null, reason, kind, storeError).ConfigureAwait(false);
        await OAuthProtocol.WriteErrorAsync(context, error, basic).ConfigureAwait(false);
    }

    private static ValueTask AuditAsync(HttpContext context, string action, string outcome, string? clientId, string? teamId, string? tokenId = null,
        bool authenticated = true, OAuthClientKind kind = OAuthClientKind.Client)
    {
        var services = context.RequestServices;
        var actor = authenticated && clientId is not null
            ? VezaAuditActor.FromRequest(context, AccessTokenClaims.Subject(clientId), clientId,
                kind == OAuthClientKind.App ? VezaAuthenticationMethods.OAuth2App : VezaAuthenticationMethods.OAuth2Client)
            : VezaAuditActor.FromRequest(context, "anonymous", null, null);
        var auditEvent = actor.Event(action, outcome, tokenId is null ? "oauth2_client" : "oauth2_token", tokenId ?? clientId, teamId,
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        return services.GetRequiredService<IVezaAuditSink>().WriteAsync(auditEvent, CancellationToken.None);
    }

    private static string Url(string issuer, string path) => issuer.TrimEnd('/') + path;

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
