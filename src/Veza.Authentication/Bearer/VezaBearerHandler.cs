using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Secrets;

namespace Veza.Authentication.Bearer;

/// <summary>
/// The handler behind the <c>Veza</c> scheme (every kind of Veza credential), <c>Veza.ApiKey</c> (API keys only)
/// and <c>Veza.AccessToken</c> (OAuth2 access tokens only). It reads <c>Authorization: Bearer</c> once, routes the
/// token by its shape to the authenticator of its kind, and owns the RFC 6750 challenge for every kind, including
/// requests that carry no credential. A token
/// that is not of an accepted kind yields no result, so anonymous endpoints and other schemes keep working.
/// Routing happens inside the handler rather than through a forwarding policy scheme: forwarding runs the
/// framework's authentication service a second time per request (ticket copies and claims transformation).
/// </summary>
internal sealed class VezaBearerHandler : AuthenticationHandler<VezaBearerSchemeOptions>
{
    private readonly ApiKeyAuthenticator _apiKeys;
    private readonly OAuthServerServices _oauth;
    private readonly IOptions<VezaAuthenticationOptions> _veza;

    public VezaBearerHandler(
        IOptionsMonitor<VezaBearerSchemeOptions> schemeOptions,
        QuietHandlerLoggerFactory loggerFactory,
        UrlEncoder encoder,
        IOptions<VezaAuthenticationOptions> veza,
        ApiKeyAuthenticator apiKeys,
        OAuthServerServices oauth)
        : base(schemeOptions, loggerFactory, encoder)
    {
        _apiKeys = apiKeys;
        _oauth = oauth;
        _veza = veza;
    }

    private new VezaBearerEvents Events
    {
        get => (VezaBearerEvents)base.Events!;
        set => base.Events = value;
    }

    // Options.Events is set from VezaAuthenticationOptions.Events when the scheme's options are built, so this runs
    // only for a scheme whose events were cleared on purpose.
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(_veza.Value.Events);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var events = Events;
        AuthenticateResult result;
        if (events.HandlesMessageReceived)
        {
            var received = new VezaMessageReceivedContext(Context, Scheme, Options);
            await events.MessageReceived(received).ConfigureAwait(false);
            if (received.Result is { } decided)
            {
                return decided;
            }

            result = received.Token is { Length: > 0 } supplied
                ? await AuthenticateTokenAsync(supplied, supplied).ConfigureAwait(false)
                : await AuthenticateHeaderAsync().ConfigureAwait(false);
        }
        else
        {
            result = await AuthenticateHeaderAsync().ConfigureAwait(false);
        }

        if (result.Succeeded && events.HandlesTokenValidated)
        {
            var validated = new VezaTokenValidatedContext(Context, Scheme, Options) { Principal = result.Principal, Properties = result.Properties };
            await events.TokenValidated(validated).ConfigureAwait(false);
            return validated.Result ?? (validated.Principal is { } principal
                ? AuthenticateResult.Success(new AuthenticationTicket(principal, validated.Properties, Scheme.Name))
                : AuthenticateResult.Fail("The host's OnTokenValidated left no principal."));
        }

        if (result.Failure is null)
        {
            return result;
        }

        var failed = new VezaAuthenticationFailedContext(Context, Scheme, Options, result.Failure);
        await events.AuthenticationFailed(failed).ConfigureAwait(false);
        return failed.Result ?? result;
    }

    private ValueTask<AuthenticateResult> AuthenticateHeaderAsync()
    {
        if (!BearerToken.TryGet(Request, out var header, out var token, out var duplicated))
        {
            if (duplicated)
            {
                Log.BearerRejected(Logger, "more than one Authorization header");
                return ValueTask.FromResult(AuthenticateResult.Fail(new InvalidAuthorizationHeaderException("more than one Authorization header")));
            }

            return ValueTask.FromResult(AuthenticateResult.NoResult());
        }

        return AuthenticateTokenAsync(header, token);
    }

    // header: the string the token came in, which remembered checks are found by (the supplied token itself when a host's
    // event supplied it); token: the bearer token inside it.
    private ValueTask<AuthenticateResult> AuthenticateTokenAsync(string header, ReadOnlySpan<char> token)
    {
        if ((Options.Accepts & VezaCredentialKinds.ApiKey) != 0 && ApiKeyFormat.HasPrefix(token, _apiKeys.Prefix))
        {
            var presented = _apiKeys.Read(header, token);
            return presented is null
                ? ValueTask.FromResult(_apiKeys.Malformed())
                : _apiKeys.AuthenticateAsync(Context, Scheme.Name, presented);
        }

        if ((Options.Accepts & VezaCredentialKinds.AccessToken) != 0 && _oauth.Tokens is { } tokens)
        {
            if (tokens.TryGetKnown(header, out var known))
            {
                return tokens.AuthenticateAsync(Context, Scheme.Name, known);
            }

            if (AccessTokenAuthenticator.LooksLikeJwt(token))
            {
                return tokens.AuthenticateAsync(Context, Scheme.Name, header, token);
            }
        }

        return ValueTask.FromResult(AuthenticateResult.NoResult());
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var challenge = new VezaBearerChallengeContext(Context, Scheme, Options, properties) { AuthenticateFailure = result.Failure };
        var (reason, retryAfter) = Describe(challenge);
        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled || Response.HasStarted)
        {
            return;
        }

        if (retryAfter is { } seconds)
        {
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (challenge.StatusCode == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = challenge.Error is null
                ? "Bearer"
                : challenge.ErrorDescription is null
                    ? $"Bearer error=\"{Quoted(challenge.Error)}\""
                    : $"Bearer error=\"{Quoted(challenge.Error)}\", error_description=\"{Quoted(challenge.ErrorDescription)}\"";
        }

        var kind = challenge.StatusCode switch
        {
            429 => VezaErrorKind.ResourceExhausted,
            503 => VezaErrorKind.Unavailable,
            _ => VezaErrorKind.Unauthenticated,
        } with { HttpStatus = challenge.StatusCode };
        await VezaErrorWriter.WriteAsync(Context, kind, challenge.ErrorDescription ?? "Authentication is required.", reason).ConfigureAwait(false);
    }

    // RFC 6750 §3: error and error_description are quoted strings of printable ASCII without '"' and '\'; text set
    // by a host's event is kept inside that.
    private static string Quoted(string value)
        => string.Create(value.Length, value, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                span[i] = c is >= ' ' and <= '~' && c != '"' && c != '\\' ? c : '\'';
            }
        });

    // The default answer for each failure; the challenge event sees it and may change it.
    private static (string? Reason, int? RetryAfter) Describe(VezaBearerChallengeContext challenge)
    {
        switch (challenge.AuthenticateFailure)
        {
            case CredentialThrottledException throttled:
                challenge.StatusCode = 429;
                challenge.ErrorDescription = "Too many failed authentication attempts from this address. Try again later.";
                return (null, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds));
            case SecretCheckBusyException:
                challenge.StatusCode = 503;
                challenge.ErrorDescription = "Authentication is busy. Try again shortly.";
                return ("SECRET_CHECKS_SATURATED", 1);
            case CredentialStoreUnavailableException:
                challenge.StatusCode = 503;
                challenge.ErrorDescription = "Authentication is temporarily unavailable. Try again later.";
                return (null, 5);
            case InvalidAuthorizationHeaderException:
                challenge.StatusCode = StatusCodes.Status401Unauthorized;
                challenge.Error = OAuthConstants.Errors.InvalidRequest;
                challenge.ErrorDescription = "The request has more than one Authorization header.";
                return ("INVALID_AUTHORIZATION_HEADER", null);
            case null:
                challenge.StatusCode = StatusCodes.Status401Unauthorized;
                challenge.ErrorDescription = "Authentication is required: send an Authorization header with a Bearer token.";
                return ("CREDENTIALS_MISSING", null);
            default:
                // One answer for malformed, unknown, wrong, revoked, deleted or expired credentials: no oracle.
                challenge.StatusCode = StatusCodes.Status401Unauthorized;
                challenge.Error = OAuthConstants.Errors.InvalidToken;
                challenge.ErrorDescription = "The access token is invalid.";
                return ("INVALID_TOKEN", null);
        }
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var forbidden = new VezaForbiddenContext(Context, Scheme, Options, properties);
        await Events.Forbidden(forbidden).ConfigureAwait(false);
        if (forbidden.Handled || Response.HasStarted)
        {
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\", error_description=\"The credential does not allow this operation.\"";
        await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.PermissionDenied,
            "The credential does not allow this operation.").ConfigureAwait(false);
    }
}

/// <summary>Gives every Veza scheme the events of <see cref="VezaAuthenticationOptions.Events"/>, unless the scheme has its own.</summary>
internal sealed class VezaBearerSchemeEvents(IOptions<VezaAuthenticationOptions> veza) : IPostConfigureOptions<VezaBearerSchemeOptions>
{
    public void PostConfigure(string? name, VezaBearerSchemeOptions options)
    {
        if (options.EventsType is null)
        {
            options.Events ??= veza.Value.Events;
        }
    }
}
