using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

// Event ids: 1xxx authentication, 2xxx management and lifecycle, 3xxx background work. No message ever takes a
// secret, a key string or a hash as an argument.
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "API key {KeyId} authenticated as {Subject}.")]
    public static partial void ApiKeyAuthenticated(ILogger logger, string keyId, string subject);

    [LoggerMessage(1002, LogLevel.Information, "API key authentication failed: {Reason}. Key id: {KeyId}.")]
    public static partial void ApiKeyRejected(ILogger logger, string reason, string keyId);

    [LoggerMessage(1003, LogLevel.Information, "API key authentication failed: {Reason}.")]
    public static partial void BearerRejected(ILogger logger, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "API key {KeyId} is throttled after repeated failed checks.")]
    public static partial void ApiKeyThrottled(ILogger logger, string keyId);

    [LoggerMessage(1005, LogLevel.Error, "The credential store failed while authenticating API key {KeyId}; the request is refused.")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string keyId);

    [LoggerMessage(1006, LogLevel.Information, "Stored hash of API key {KeyId} upgraded to the current Argon2id parameters.")]
    public static partial void HashUpgraded(ILogger logger, string keyId);

    [LoggerMessage(1007, LogLevel.Warning, "Could not upgrade the stored hash of API key {KeyId}; it will be tried again.")]
    public static partial void HashUpgradeFailed(ILogger logger, Exception exception, string keyId);

    [LoggerMessage(2001, LogLevel.Information, "Audit: {Action} {Outcome} on {TargetKind} {TargetId} by {Actor}.")]
    public static partial void Audit(ILogger logger, string action, string outcome, string targetKind, string? targetId, string actor);

    [LoggerMessage(2002, LogLevel.Error, "A management request failed unexpectedly; answered 500 without details.")]
    public static partial void ManagementFailed(ILogger logger, Exception exception);

    [LoggerMessage(2003, LogLevel.Error, "Could not evict cached checks for API key {KeyId}; it stays usable on this instance for up to the cache duration.")]
    public static partial void EvictionFailed(ILogger logger, Exception exception, string keyId);

    [LoggerMessage(3001, LogLevel.Warning, "Could not write {Count} last-use times to the API key store; they will be tried again.")]
    public static partial void LastAccessFlushFailed(ILogger logger, Exception exception, int count);
}
