using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;

namespace Veza.Authentication.OAuth2;

/// <summary>Whether a token may be used now: the principal it stands for, or why not.</summary>
/// <param name="Principal">The caller's principal, or <see langword="null"/> when the token may not be used.</param>
/// <param name="Caller">What the token says about its caller, once its holder is known.</param>
/// <param name="Refusal">Why the token may not be used.</param>
/// <param name="RefusalKind">The kind of the refusal, for the host's events.</param>
internal readonly record struct AccessTokenUse(System.Security.Claims.ClaimsPrincipal? Principal, VezaPrincipalDescriptor Caller, string? Refusal,
    VezaAuthenticationFailureKind RefusalKind = VezaAuthenticationFailureKind.Revoked);

/// <summary>
/// Authenticates a JWT-shaped bearer token as one of our access tokens, for the Veza bearer handler. A token is
/// validated in full (signature, <c>typ</c>, issuer, audience, lifetime) once per instance and its claims kept;
/// every request then checks, in memory, that it has not expired, that the server is on, that its <c>jti</c> is
/// not revoked, and that its client is still active, in the same team, and still holds the secret the token was
/// got with. The principal is resolved as for API keys, with the client's current role narrowed to the token's
/// scopes.
/// </summary>
internal sealed class AccessTokenAuthenticator
{
    private const int MaxRemembered = 10_000;
    private const int MaxTokenLength = 8192;
    private static readonly KeyValuePair<string, object?> MethodTag = new("veza.method", "oauth2_access_token");

    private static readonly System.Buffers.SearchValues<char> JwsCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, AccessTokenClaims> _byHeader = new();
    private readonly ConcurrentDictionary<string, AccessTokenClaims> _validated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessTokenClaims>.AlternateLookup<ReadOnlySpan<char>> _known;
    private readonly AccessTokenCodec _codec;
    private readonly OAuthServerSwitch _switch;
    private readonly TokenRevocationList _revocations;
    private readonly ClientStates _clients;
    private readonly GrantStates? _grants;
    private readonly VezaPrincipalResolver _principals;
    private readonly CallAuditor _calls;
    private readonly AuthenticationFailureLog _failures;
    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;
    private readonly ILogger _logger;

    public AccessTokenAuthenticator(
        AccessTokenCodec codec,
        OAuthServerSwitch serverSwitch,
        TokenRevocationList revocations,
        ClientStates clients,
        GrantStates? grants,
        VezaPrincipalResolver principals,
        CallAuditor calls,
        AuthenticationFailureLog failures,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time,
        ILogger<AccessTokenAuthenticator> logger)
    {
        _codec = codec;
        _known = _validated.GetAlternateLookup<ReadOnlySpan<char>>();
        _switch = serverSwitch;
        _revocations = revocations;
        _clients = clients;
        _grants = grants;
        _principals = principals;
        _calls = calls;
        _failures = failures;
        _time = time;
        _skew = options.Value.OAuth2.ClockSkew;
        _logger = logger;
    }

    /// <summary>Whether the token has the shape of a JWS in compact form (three base64url parts, a JSON header).</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> token)
        => token.Length is >= 16 and <= MaxTokenLength && token.StartsWith("eyJ", StringComparison.Ordinal)
            && !token.ContainsAnyExcept(JwsCharacters) && token.Count('.') == 2;

    /// <summary>
    /// The claims of a token validated before on this instance, found by the Authorization header's string instance:
    /// Kestrel hands out the same instance for a header value that repeats on a keep-alive connection, so a client
    /// that sends its token on every request has it parsed and hashed once per connection. Found by reference,
    /// never by comparing contents.
    /// </summary>
    public bool TryGetKnown(string header, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccessTokenClaims? claims)
        => _byHeader.TryGetValue(header, out claims);

    /// <summary>Authenticates a token whose claims were found with <see cref="TryGetKnown"/>.</summary>
    public ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, string scheme, AccessTokenClaims known)
        => AuthenticateAsync(context, scheme, null, null, known);

    /// <summary>Authenticates the token inside <paramref name="header"/>; a token validated before is found without
    /// copying it out of the header.</summary>
    public ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, string scheme, string header, ReadOnlySpan<char> token)
        => _known.TryGetValue(token, out var claims)
            ? AuthenticateAsync(context, scheme, header, null, claims)
            : AuthenticateAsync(context, scheme, header, token.ToString(), null);

    private async ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, string scheme, string? header, string? token, AccessTokenClaims? known)
    {
        try
        {
            var claims = await CheckAsync(token, known, context.RequestAborted).ConfigureAwait(false);
            if (header is not null)
            {
                _byHeader.AddOrUpdate(header, claims);
            }

            var use = await DecideAsync(claims, scheme, context.RequestAborted).ConfigureAwait(false);
            if (use.Principal is null)
            {
                return Reject(use.RefusalKind, use.Refusal!, claims.ClientId);
            }

            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "success"));
            _calls.Register(context, use.Caller);
            return AuthenticateResult.Success(new AuthenticationTicket(use.Principal, scheme));
        }
        catch (CredentialRejectedException ex)
        {
            return Reject(ex.Kind, ex.Reason, null);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Fail closed: a store that cannot be read means 503, never access.
            var failure = ex as CredentialStoreUnavailableException ?? new CredentialStoreUnavailableException(ex);
            _failures.Record(AuthenticationFailureKind.Unavailable, failure.InnerException ?? failure);
            VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "unavailable"));
            return AuthenticateResult.Fail(failure);
        }
    }

    /// <summary>
    /// The one decision whether a token that is valid and unrevoked (<see cref="CheckAsync(string, CancellationToken)"/>)
    /// may be used now, shared by the resource side and introspection, so that introspection never calls active a
    /// token the API refuses: its holder still stands (<see cref="FindHolderAsync"/>), and its caller resolves (an
    /// app's user is active and holds a role in the team; a client's team exists). Store and directory failures are
    /// thrown (fail closed).
    /// </summary>
    public async ValueTask<AccessTokenUse> DecideAsync(AccessTokenClaims claims, string scheme, CancellationToken cancellationToken)
    {
        var client = await FindHolderAsync(claims, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return new AccessTokenUse(null, default, claims.UserId is null
                ? "client is revoked, deleted, moved or no longer holds the secret"
                : "app is revoked or deleted, or the user's grant is revoked");
        }

        var caller = Describe(claims, client);
        var principal = await _principals.ResolveAsync(caller, scheme, cancellationToken).ConfigureAwait(false);
        return principal is null
            ? new AccessTokenUse(null, caller, claims.UserId is null ? "the client's team no longer exists" : "the user is inactive, gone, or holds no role in the team",
                VezaAuthenticationFailureKind.CallerGone)
            : new AccessTokenUse(principal, caller, null);
    }

    // A client's token acts as the client with its role; an app's acts for the user, whose roles in the team are read at
    // every request, as for a personal key: a role lost is lost through the app too.
    private static VezaPrincipalDescriptor Describe(AccessTokenClaims claims, ClientState client) => claims.UserId is null
        ? new VezaPrincipalDescriptor
        {
            Subject = AccessTokenClaims.Subject(client.Id),
            PrincipalType = VezaPrincipalTypes.Client,
            Method = VezaAuthenticationMethods.OAuth2Client,
            CredentialId = client.Id,
            TeamId = client.TeamId,
            Role = client.Role,
            Name = client.Name,
            ClientId = client.Id,
            Scopes = claims.Scopes,
        }
        : new VezaPrincipalDescriptor
        {
            Subject = VezaPrincipalResolver.UserSubject(claims.UserId),
            PrincipalType = VezaPrincipalTypes.User,
            Method = VezaAuthenticationMethods.OAuth2App,
            CredentialId = client.Id,
            TeamId = claims.TeamId,
            UserId = claims.UserId,
            ClientId = client.Id,
            Scopes = claims.Scopes,
        };

    /// <summary>
    /// Who holds the token now, or <see langword="null"/> when it no longer stands: a client's token needs the client
    /// active, in the same team, and still holding the secret; an app's token needs the app active and the user's grant
    /// unrevoked.
    /// </summary>
    private async ValueTask<ClientState?> FindHolderAsync(AccessTokenClaims claims, CancellationToken cancellationToken)
    {
        var client = await _clients.FindActiveAsync(claims.ClientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return null;
        }

        if (claims.UserId is null)
        {
            return !client.IsApp && client.TeamId == claims.TeamId && Array.IndexOf(client.SecretIds, claims.Binding) >= 0 ? client : null;
        }

        if (!client.IsApp || _grants is null)
        {
            return null;
        }

        var grant = await _grants.FindActiveAsync(claims.Binding, cancellationToken).ConfigureAwait(false);
        return grant is not null && grant.AppId == claims.ClientId && grant.UserId == claims.UserId && grant.TeamId == claims.TeamId ? client : null;
    }

    /// <summary>
    /// The claims of a token that is valid now: ours, unexpired, unrevoked, and the server on. Throws
    /// <see cref="CredentialRejectedException"/> otherwise. Shared with introspection.
    /// </summary>
    public ValueTask<AccessTokenClaims> CheckAsync(string token, CancellationToken cancellationToken)
        => CheckAsync(token, null, cancellationToken);

    private async ValueTask<AccessTokenClaims> CheckAsync(string? token, AccessTokenClaims? claims, CancellationToken cancellationToken)
    {
        if (!await _switch.IsEnabledAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Revoked, "the authorization server is off");
        }

        if (claims is null && (token is null || !_validated.TryGetValue(token, out claims)))
        {
            var (validated, expired) = await _codec.ValidateWithReasonAsync(token!, validateLifetime: true, cancellationToken).ConfigureAwait(false);
            claims = validated ?? throw (expired
                ? new CredentialRejectedException(VezaAuthenticationFailureKind.Expired, "token has expired")
                : new CredentialRejectedException(VezaAuthenticationFailureKind.Malformed, "token is not valid"));
            if (_validated.Count >= MaxRemembered)
            {
                _validated.Clear();
            }

            _validated.TryAdd(token!, claims);
        }

        if (_time.GetUtcNow() >= claims.ExpiresAt + _skew)
        {
            // Expired tokens are forgotten lazily; a full map is cleared when it fills up.
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Expired, "token has expired");
        }

        if (await _revocations.IsRevokedAsync(claims.TokenId, cancellationToken).ConfigureAwait(false))
        {
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Revoked, "token is revoked");
        }

        return claims;
    }

    private AuthenticateResult Reject(VezaAuthenticationFailureKind kind, string reason, string? clientId)
    {
        Log.AccessTokenRejected(_logger, reason, clientId);
        _failures.Record(AuthenticationFailureKind.Rejected);
        VezaTelemetry.Authentications.Add(1, MethodTag, new("veza.result", "rejected"));
        return AuthenticateResult.Fail(new CredentialRejectedException(kind, reason));
    }
}
