using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// Authenticates a bearer token that carries the API key prefix, for the Veza bearer handler: reads the key,
/// verifies it (cache, throttle, Argon2id), and resolves its principal. A key that cannot be used fails (401, or
/// 429 when throttled, 503 when busy or a store is down).
/// </summary>
internal sealed class ApiKeyAuthenticator
{
    private static readonly KeyValuePair<string, object?> MethodTag = new("veza.method", "api_key");
    private readonly ApiKeyVerifier _verifier;
    private readonly VezaPrincipalResolver _principals;
    private readonly ApiKeyUsageRecorder _usage;
    private readonly CallAuditor _calls;
    private readonly AuthenticationFailureLog _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _teamKeyRole;

    public ApiKeyAuthenticator(
        IOptions<VezaAuthenticationOptions> options,
        ApiKeyVerifier verifier,
        VezaPrincipalResolver principals,
        ApiKeyUsageRecorder usage,
        CallAuditor calls,
        AuthenticationFailureLog failures,
        TimeProvider time,
        ILogger<ApiKeyAuthenticator> logger)
    {
        _verifier = verifier;
        _principals = principals;
        _usage = usage;
        _calls = calls;
        _failures = failures;
        _time = time;
        _logger = logger;
        _teamKeyRole = options.Value.TeamKeyRole;
        Prefix = options.Value.ApiKeys.Prefix;
    }

    /// <summary>The prefix that marks a bearer token as an API key.</summary>
    public string Prefix { get; }

    /// <summary>Parses the key (shape and checksum, no I/O); <see langword="null"/> when it is malformed.</summary>
    public PresentedApiKey? Read(string header, ReadOnlySpan<char> token) => _verifier.Read(header, token);

    /// <summary>The refusal of a token that has the prefix but is not a well-formed key.</summary>
    public AuthenticateResult Malformed() => Reject(VezaAuthenticationFailureKind.Malformed, "malformed key or bad checksum", null);

    public async ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, string scheme, PresentedApiKey presented)
    {
        var keyId = presented.KeyId;
        try
        {
            var key = await _verifier.VerifyAsync(presented, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
            var caller = Describe(key);
            var principal = await _principals.ResolveAsync(caller, scheme, context.RequestAborted).ConfigureAwait(false);
            if (principal is null)
            {
                return Reject(VezaAuthenticationFailureKind.CallerGone, "owner is inactive, removed or no longer a member of the team", key.Id);
            }

            _usage.Record(key.Id, _time.GetUtcNow());
            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "success"));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.ApiKeyAuthenticated(_logger, key.Id, caller.Subject);
            }

            _calls.Register(context, caller);
            return AuthenticateResult.Success(new AuthenticationTicket(principal, scheme));
        }
        catch (CredentialRejectedException ex)
        {
            return Reject(ex.Kind, ex.Reason, keyId);
        }
        catch (CredentialThrottledException ex)
        {
            Log.CheckRefused(_logger, keyId, "too many failed checks from this address");
            return Refuse(AuthenticationFailureKind.Throttled, "throttled", ex);
        }
        catch (SecretCheckBusyException ex)
        {
            Log.CheckRefused(_logger, keyId, "secret checks are saturated");
            return Refuse(AuthenticationFailureKind.Busy, "busy", ex);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Fail closed: whatever went wrong below, the request is not authenticated.
            var failure = ex as CredentialStoreUnavailableException ?? new CredentialStoreUnavailableException(ex);
            _failures.Record(AuthenticationFailureKind.Unavailable, failure.InnerException ?? failure);
            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "unavailable"));
            return AuthenticateResult.Fail(failure);
        }
    }

    private VezaPrincipalDescriptor Describe(ApiKeySnapshot key) => key.Kind == ApiKeyKind.Personal
        ? new VezaPrincipalDescriptor
        {
            Subject = VezaPrincipalResolver.UserSubject(key.OwnerUserId!),
            PrincipalType = VezaPrincipalTypes.User,
            Method = VezaAuthenticationMethods.PersonalApiKey,
            CredentialId = key.Id,
            TeamId = key.TeamId,
            UserId = key.OwnerUserId,
        }
        : new VezaPrincipalDescriptor
        {
            Subject = VezaPrincipalResolver.TeamSubject(key.TeamId),
            PrincipalType = VezaPrincipalTypes.ServiceAccount,
            Method = VezaAuthenticationMethods.TeamApiKey,
            CredentialId = key.Id,
            TeamId = key.TeamId,
            Role = _teamKeyRole,
            Name = key.Name,
        };

    private AuthenticateResult Refuse(AuthenticationFailureKind kind, string result, Exception failure)
    {
        _failures.Record(kind);
        VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", result));
        return AuthenticateResult.Fail(failure);
    }

    private AuthenticateResult Reject(VezaAuthenticationFailureKind kind, string reason, string? keyId)
    {
        if (keyId is null)
        {
            Log.BearerRejected(_logger, reason);
        }
        else
        {
            Log.ApiKeyRejected(_logger, reason, keyId);
        }

        return Refuse(AuthenticationFailureKind.Rejected, "rejected", new CredentialRejectedException(kind, reason));
    }
}
