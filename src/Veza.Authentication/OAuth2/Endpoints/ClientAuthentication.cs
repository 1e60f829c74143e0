using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>A request to the token, revocation or introspection endpoint, read but not yet authenticated.</summary>
internal sealed record ClientRequest(Dictionary<string, string> Form, string ClientId, string? Secret, bool UsedBasic);

/// <summary>
/// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3): the form and the
/// client's credentials are read, then the client's id and secret are checked like an API key, or a public app's id
/// alone where the endpoint accepts one. Each step that fails has written the answer and returns <see langword="null"/>.
/// </summary>
internal static class ClientAuthentication
{
    public static async Task<ClientRequest?> ReadAsync(HttpContext context)
    {
        var (form, formError) = await OAuthProtocol.ReadFormAsync(context.Request).ConfigureAwait(false);
        if (formError is not null)
        {
            await OAuthEndpointAudit.RefuseAsync(context, formError, false, null, "malformed request").ConfigureAwait(false);
            return null;
        }

        var (clientId, secret, basic, clientError) = OAuthProtocol.ReadClient(context.Request, form!);
        if (clientError is not null)
        {
            await OAuthEndpointAudit.RefuseAsync(context, clientError, basic, clientId, "client authentication missing or malformed").ConfigureAwait(false);
            return null;
        }

        return new ClientRequest(form!, clientId!, secret, basic);
    }

    public static async Task<ClientSnapshot?> AuthenticateAsync(HttpContext context, ClientRequest request, bool allowPublic)
    {
        OAuthError error;
        string reason;
        AuthenticationFailureKind kind;
        Exception? storeError = null;
        try
        {
            var verifier = context.RequestServices.GetRequiredService<ClientSecretVerifier>();
            if (request.Secret is null && !allowPublic)
            {
                throw new CredentialRejectedException(VezaAuthenticationFailureKind.WrongSecret, "client secret is required");
            }

            return request.Secret is null
                ? await verifier.IdentifyPublicAsync(request.ClientId, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false)
                : await verifier.VerifyAsync(request.ClientId, request.Secret, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CredentialRejectedException ex)
        {
            (error, reason, kind) = (OAuthError.InvalidClient(), ex.Reason, AuthenticationFailureKind.Rejected);
        }
        catch (CredentialThrottledException ex)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(ex.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            (error, reason, kind) = (OAuthError.TemporarilyUnavailable("Too many failed attempts from this address. Try again later.", 429), "throttled",
                AuthenticationFailureKind.Throttled);
        }
        catch (SecretCheckBusyException)
        {
            context.Response.Headers.RetryAfter = "1";
            (error, reason, kind) = (OAuthError.TemporarilyUnavailable("The server is busy. Try again shortly."), "busy", AuthenticationFailureKind.Busy);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            (error, reason, kind, storeError) = (OAuthError.TemporarilyUnavailable("The server is temporarily unavailable."), "store unavailable",
                AuthenticationFailureKind.Unavailable, ex);
        }

        await OAuthEndpointAudit.RefuseAsync(context, error, request.UsedBasic, request.ClientId, reason, kind, storeError).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// What revocation and introspection share: the server is on, the client authenticates, and a token is named. On
    /// failure the answer has been written and the result is <see langword="null"/>.
    /// </summary>
    public static async Task<(ClientSnapshot Client, string Token, bool UsedBasic)?> ReadTokenRequestAsync(HttpContext context, bool allowPublic)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false)
            || await ReadAsync(context).ConfigureAwait(false) is not { } request
            || await AuthenticateAsync(context, request, allowPublic).ConfigureAwait(false) is not { } client)
        {
            return null;
        }

        if (!request.Form.TryGetValue(OAuthConstants.Parameters.Token, out var token))
        {
            await OAuthEndpointAudit.RefuseAsync(context, OAuthError.InvalidRequest("token is required."), request.UsedBasic, client.Id, "no token")
                .ConfigureAwait(false);
            return null;
        }

        return (client, token, request.UsedBasic);
    }
}
