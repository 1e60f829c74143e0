using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>Options of the API key scheme; everything it needs comes from <see cref="VezaAuthenticationOptions"/>.</summary>
internal sealed class ApiKeyAuthenticationSchemeOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;api key&gt;</c>. A request without a key of ours yields no result;
/// a key of ours that cannot be used fails (401, or 429 when throttled, 503 when a store is down).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<ApiKeyAuthenticationSchemeOptions>
{
    private static readonly KeyValuePair<string, object?> MethodTag = new("veza.method", "api_key");
    private readonly ApiKeyVerifier _verifier;
    private readonly IVezaUserDirectory _directory;
    private readonly VezaPrincipalFactory _principals;
    private readonly ApiKeyUsageRecorder _usage;
    private readonly IVezaAuditSink _audit;
    private readonly AuthenticationFailureLog _failures;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly string _teamKeyRole;
    private readonly TimeSpan _storeTimeout;
    private ApiKeySnapshot? _authenticated;
    private string? _subject;

    public ApiKeyAuthenticationHandler(
        IOptionsMonitor<ApiKeyAuthenticationSchemeOptions> schemeOptions,
        QuietHandlerLoggerFactory loggerFactory,
        UrlEncoder encoder,
        IOptions<VezaAuthenticationOptions> options,
        ApiKeyVerifier verifier,
        IVezaUserDirectory directory,
        VezaPrincipalFactory principals,
        ApiKeyUsageRecorder usage,
        IVezaAuditSink audit,
        AuthenticationFailureLog failures,
        TimeProvider time)
        : base(schemeOptions, loggerFactory, encoder)
    {
        _verifier = verifier;
        _directory = directory;
        _principals = principals;
        _usage = usage;
        _audit = audit;
        _failures = failures;
        _time = time;
        _prefix = options.Value.ApiKeys.Prefix;
        _teamKeyRole = options.Value.TeamKeyRole;
        _storeTimeout = options.Value.ApiKeys.StoreTimeout;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var early = ReadKey(out var presented);
        if (early is not null)
        {
            return early;
        }

        var keyId = presented!.KeyId;
        try
        {
            var key = await _verifier.VerifyAsync(presented, Context.Connection.RemoteIpAddress, Context.RequestAborted).ConfigureAwait(false);
            var principal = key.Kind == ApiKeyKind.Personal
                ? await CreateUserPrincipalAsync(key).ConfigureAwait(false)
                : await CreateServiceAccountPrincipalAsync(key).ConfigureAwait(false);
            if (principal is null)
            {
                return Reject("owner is inactive, removed or no longer a member of the team", key.Id);
            }

            _usage.Record(key.Id, _time.GetUtcNow());
            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "success"));
            _authenticated = key;
            _subject = principal.FindFirst(VezaClaimTypes.Subject)!.Value;
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                Log.ApiKeyAuthenticated(Logger, key.Id, _subject);
            }

            // Every authenticated call is audited once its response is complete, with the status it got.
            Response.OnCompleted(static handler => ((ApiKeyAuthenticationHandler)handler).WriteCallAuditAsync(), this);
            return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        catch (ApiKeyRejectedException ex)
        {
            return Reject(ex.Reason, keyId);
        }
        catch (CredentialThrottledException ex)
        {
            Log.CheckRefused(Logger, keyId, "too many failed checks from this address");
            return Refuse(AuthenticationFailureKind.Throttled, "throttled", ex);
        }
        catch (SecretCheckBusyException ex)
        {
            Log.CheckRefused(Logger, keyId, "secret checks are saturated");
            return Refuse(AuthenticationFailureKind.Busy, "busy", ex);
        }
        catch (Exception ex) when (!Context.RequestAborted.IsCancellationRequested)
        {
            // Fail closed: whatever went wrong below, the request is not authenticated.
            var failure = ex as CredentialStoreUnavailableException ?? new CredentialStoreUnavailableException(ex);
            _failures.Record(AuthenticationFailureKind.Unavailable, failure.InnerException ?? failure);
            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "unavailable"));
            return AuthenticateResult.Fail(failure);
        }
    }

    private AuthenticateResult Refuse(AuthenticationFailureKind kind, string result, Exception failure)
    {
        _failures.Record(kind);
        VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", result));
        return AuthenticateResult.Fail(failure);
    }

    private Task WriteCallAuditAsync()
    {
        var key = _authenticated!;
        var status = Response.StatusCode;
        var written = _audit.WriteAsync(new VezaAuditEvent
        {
            Action = VezaAuditEvent.ApiCallAction,
            Outcome = status < 400 ? "success" : "failure",
            Actor = _subject!,
            ActorCredentialId = key.Id,
            ActorCredentialKind = key.Kind == ApiKeyKind.Personal ? VezaAuthenticationMethods.PersonalApiKey : VezaAuthenticationMethods.TeamApiKey,
            TargetKind = "api",
            TeamId = key.TeamId,
            Method = Request.Method,
            Path = Request.Path.Value,
            StatusCode = status,
            ClientIp = Context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Request.Headers.UserAgent.ToString(),
            RequestId = Context.TraceIdentifier,
            Timestamp = _time.GetUtcNow(),
        }, CancellationToken.None);
        return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
    }

    // Everything that needs no I/O: header shape, prefix, checksum. Returns a result when the request ends here.
    private AuthenticateResult? ReadKey(out PresentedApiKey? presented)
    {
        presented = null;
        if (!BearerToken.TryGet(Request, out var header, out var token, out var duplicated))
        {
            if (duplicated)
            {
                Log.BearerRejected(Logger, "more than one Authorization header");
                return AuthenticateResult.Fail(new InvalidAuthorizationHeaderException("more than one Authorization header"));
            }

            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyFormat.HasPrefix(token, _prefix))
        {
            return AuthenticateResult.NoResult();
        }

        presented = _verifier.Read(header, token);
        return presented is null ? Reject("malformed key or bad checksum", null) : null;
    }

    private AuthenticateResult Reject(string reason, string? keyId)
    {
        if (keyId is null)
        {
            Log.BearerRejected(Logger, reason);
        }
        else
        {
            Log.ApiKeyRejected(Logger, reason, keyId);
        }

        return Refuse(AuthenticationFailureKind.Rejected, "rejected", new ApiKeyRejectedException(reason));
    }

    private async ValueTask<System.Security.Claims.ClaimsPrincipal?> CreateUserPrincipalAsync(ApiKeySnapshot key)
    {
        var ownerId = key.OwnerUserId!;
        var user = await WithTimeout(_directory.FindUserAsync(ownerId, Context.RequestAborted)).ConfigureAwait(false);
        if (user is not { IsActive: true })
        {
            return null;
        }

        // Roles are read at request time, so a key never carries more than its owner holds now.
        var roles = await WithTimeout(_directory.GetRolesAsync(ownerId, key.TeamId, Context.RequestAborted)).ConfigureAwait(false);
        if (roles.Count == 0)
        {
            return null;
        }

        return _principals.Create(Scheme.Name, VezaPrincipalFactory.UserSubject(ownerId), user.DisplayName,
            VezaPrincipalTypes.User, ownerId, key.TeamId, roles, VezaAuthenticationMethods.PersonalApiKey, key.Id);
    }

    private async ValueTask<System.Security.Claims.ClaimsPrincipal?> CreateServiceAccountPrincipalAsync(ApiKeySnapshot key)
    {
        var team = await WithTimeout(_directory.FindTeamAsync(key.TeamId, Context.RequestAborted)).ConfigureAwait(false);
        if (team is null)
        {
            return null;
        }

        return _principals.Create(Scheme.Name, VezaPrincipalFactory.TeamSubject(key.TeamId), key.Name,
            VezaPrincipalTypes.ServiceAccount, null, key.TeamId, [_teamKeyRole], VezaAuthenticationMethods.TeamApiKey, key.Id);
    }

    // Directory answers are usually synchronous (memory or cache): only a pending one pays for a timeout.
    private ValueTask<T> WithTimeout<T>(ValueTask<T> pending)
        => pending.IsCompleted ? pending : new ValueTask<T>(pending.AsTask().WaitAsync(_storeTimeout, _time, Context.RequestAborted));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (Response.HasStarted)
        {
            return;
        }

        switch (result.Failure)
        {
            case CredentialThrottledException throttled:
                Response.Headers.RetryAfter = ((int)Math.Ceiling(throttled.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.ResourceExhausted,
                    "Too many failed authentication attempts from this address. Try again later.").ConfigureAwait(false);
                return;
            case SecretCheckBusyException:
                Response.Headers.RetryAfter = "1";
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.Unavailable,
                    "Authentication is busy. Try again shortly.", "SECRET_CHECKS_SATURATED").ConfigureAwait(false);
                return;
            case CredentialStoreUnavailableException:
                Response.Headers.RetryAfter = "5";
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.Unavailable,
                    "Authentication is temporarily unavailable. Try again later.").ConfigureAwait(false);
                return;
            case InvalidAuthorizationHeaderException:
                Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_request\", error_description=\"The request has more than one Authorization header.\"";
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.Unauthenticated,
                    "The request has more than one Authorization header.", "INVALID_AUTHORIZATION_HEADER").ConfigureAwait(false);
                return;
            case null:
                Response.Headers.WWWAuthenticate = "Bearer";
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.Unauthenticated,
                    "Authentication is required: send an Authorization header with a Bearer token.", "CREDENTIALS_MISSING").ConfigureAwait(false);
                return;
            default:
                // One answer for malformed, unknown, wrong, revoked or deleted keys: no oracle.
                Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\"";
                await VezaErrorWriter.WriteAsync(Context, VezaErrorKind.Unauthenticated,
                    "The access token is invalid.", "INVALID_TOKEN").ConfigureAwait(false);
                return;
        }
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\", error_description=\"The credential does not allow this operation.\"";
        return VezaErrorWriter.WriteAsync(Context, VezaErrorKind.PermissionDenied,
            "The credential does not allow this operation.");
    }
}
