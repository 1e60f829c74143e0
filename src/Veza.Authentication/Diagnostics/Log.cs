using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

// Event ids: 1xxx authentication, 2xxx management and lifecycle, 3xxx background work. No message ever takes a
// secret, a key string or a hash as an argument. Per-request failures are Debug only (a flood of bad requests must
// not become a flood of log lines); AuthenticationFailureLog writes one Warning summary per interval instead.
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "API key {KeyId} authenticated as {Subject}.")]
    public static partial void ApiKeyAuthenticated(ILogger logger, string keyId, string subject);

    [LoggerMessage(1002, LogLevel.Debug, "API key authentication failed: {Reason}. Key id: {KeyId}.")]
    public static partial void ApiKeyRejected(ILogger logger, string reason, string keyId);

    [LoggerMessage(1003, LogLevel.Debug, "Bearer authentication failed: {Reason}.")]
    public static partial void BearerRejected(ILogger logger, string reason);

    [LoggerMessage(1004, LogLevel.Debug, "A secret check for credential {CredentialId} was refused: {Reason}.")]
    public static partial void CheckRefused(ILogger logger, string credentialId, string reason);

    [LoggerMessage(1005, LogLevel.Error, "The credential store failed while authenticating; requests are refused with 503 until it recovers (further failures are summarised).")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(1006, LogLevel.Debug, "Stored secret of credential {CredentialId} upgraded to {Upgrade}.")]
    public static partial void HashUpgraded(ILogger logger, string credentialId, string upgrade);

    [LoggerMessage(1007, LogLevel.Warning, "Could not upgrade the stored secret hash of credential {CredentialId}; it will be tried again.")]
    public static partial void HashUpgradeFailed(ILogger logger, Exception exception, string credentialId);

    [LoggerMessage(1008, LogLevel.Warning, "Authentication failures in the last {Seconds} s: {Rejected} rejected, {Throttled} throttled, {Busy} refused while secret checks were saturated, {Unavailable} with the store unavailable; {Refused} other OAuth2 requests refused.")]
    public static partial void FailureSummary(ILogger logger, long seconds, long rejected, long throttled, long busy, long unavailable, long refused);

    [LoggerMessage(1009, LogLevel.Debug, "Access token refused: {Reason}. Client id: {ClientId}.")]
    public static partial void AccessTokenRejected(ILogger logger, string reason, string? clientId);

    [LoggerMessage(1011, LogLevel.Warning, "No key for secret fingerprints could be read from Data Protection's key ring; every secret check runs Argon2id until one can (set SecretChecks.FingerprintKey to use a configured key).")]
    public static partial void FingerprintKeysUnavailable(ILogger logger, Exception? exception);

    [LoggerMessage(2001, LogLevel.Information, "Audit: {Action} {Outcome} on {TargetKind} {TargetId} by {Actor}.")]
    public static partial void Audit(ILogger logger, string action, string outcome, string targetKind, string? targetId, string actor);

    [LoggerMessage(2002, LogLevel.Error, "A management request failed unexpectedly; answered without details.")]
    public static partial void ManagementFailed(ILogger logger, Exception exception);

    [LoggerMessage(2004, LogLevel.Debug, "Call: {Method} {Path} {StatusCode} by {Actor} with {CredentialKind} {CredentialId} from {ClientIp}.")]
    public static partial void ApiCall(ILogger logger, string? method, string? path, int? statusCode, string actor, string? credentialKind,
        string? credentialId, string? clientIp);

    [LoggerMessage(3002, LogLevel.Warning, "Could not prune expired token revocations; it will be tried again.")]
    public static partial void PruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(3003, LogLevel.Warning, "The change feed could not be read; what this instance remembers is used for at most {Seconds} s more.")]
    public static partial void ChangeFeedUnreadable(ILogger logger, Exception exception, long seconds);

    [LoggerMessage(3004, LogLevel.Warning, "The change feed has not been read for {Seconds} s: everything remembered is forgotten, and credentials are read from the stores again.")]
    public static partial void ChangeFeedLagging(ILogger logger, long seconds);

    [LoggerMessage(3005, LogLevel.Warning, "This instance fell behind the change feed (at {Position}, pruned through {PrunedThrough}): everything remembered is forgotten.")]
    public static partial void ChangeFeedFellBehind(ILogger logger, long position, long prunedThrough);

    [LoggerMessage(3006, LogLevel.Information, "The change feed can be read again.")]
    public static partial void ChangeFeedRecovered(ILogger logger);

    [LoggerMessage(3007, LogLevel.Warning, "Could not prune the change feed; it will be tried again.")]
    public static partial void ChangeFeedPruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(3008, LogLevel.Error, "A {Kind} change (sequence {Sequence}) could not be applied; what it concerns is forgotten.")]
    public static partial void ChangeNotApplied(ILogger logger, Exception exception, string kind, long sequence);

    [LoggerMessage(3001, LogLevel.Warning, "Could not write {Count} last-use times to a credential store; they will be tried again.")]
    public static partial void LastAccessFlushFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(4001, LogLevel.Warning, "OAuth2 app {AppId} now accepts any redirect URI (changed by {Actor}). This is discouraged: register the app's redirect URIs instead.")]
    public static partial void AppAllowsAnyRedirectUri(ILogger logger, string appId, string actor);

    [LoggerMessage(4002, LogLevel.Debug, "OAuth2 request refused ({Action}): {Error} ({Reason}). Client id: {ClientId}.")]
    public static partial void RequestRefused(ILogger logger, string action, string error, string reason, string? clientId);

    [LoggerMessage(4005, LogLevel.Debug, "Audit: {Action} {Outcome} x{Count} about {TargetId} from {ClientIp}.")]
    public static partial void RefusalAudit(ILogger logger, string action, string outcome, int count, string? targetId, string? clientIp);

    [LoggerMessage(4006, LogLevel.Warning, "The audit sink failed to record aggregated refusals; they are dropped.")]
    public static partial void AuditSinkFailed(ILogger logger, Exception exception);

    [LoggerMessage(4003, LogLevel.Warning, "Authorization code replayed for app {AppId}; grant {GrantId} and its tokens are revoked.")]
    public static partial void AuthorizationCodeReplayed(ILogger logger, string appId, string grantId);

    [LoggerMessage(4004, LogLevel.Warning, "Rotated refresh token reused for app {AppId}; grant {GrantId} and its tokens are revoked.")]
    public static partial void RefreshTokenReused(ILogger logger, string appId, string grantId);
}
