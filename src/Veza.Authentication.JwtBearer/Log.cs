using Microsoft.Extensions.Logging;

namespace Veza.Authentication.JwtBearer;

/// <summary>What the resource-server scheme logs. Secrets and tokens never appear; a condition that lasts is logged
/// when it starts and when it ends, not on every poll.</summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Debug, "Read the authorization server's metadata and {KeyCount} signing keys.")]
    public static partial void ConfigurationRead(ILogger logger, int keyCount);

    [LoggerMessage(5002, LogLevel.Warning, "Could not read the authorization server's metadata or keys at {Address}; the keys known before stay in use.")]
    public static partial void ConfigurationUnreadable(ILogger logger, Exception exception, string address);

    [LoggerMessage(5003, LogLevel.Warning, "The change feed could not be read; tokens are still accepted on what was read for at most {Seconds} s more.")]
    public static partial void FeedUnreadable(ILogger logger, Exception exception, long seconds);

    [LoggerMessage(5004, LogLevel.Error, "The change feed has not been read for {Seconds} s: every access token is refused (503) until it can be read again.")]
    public static partial void FeedLagging(ILogger logger, long seconds);

    [LoggerMessage(5005, LogLevel.Information, "The change feed can be read again; access tokens are accepted.")]
    public static partial void FeedRecovered(ILogger logger);

    [LoggerMessage(5006, LogLevel.Warning, "The authorization server answers that it is switched off (or does not publish its change feed): every access token is refused until it is on again.")]
    public static partial void ServerOff(ILogger logger);

    [LoggerMessage(5007, LogLevel.Debug, "Access token refused: {Reason}. Client id: {ClientId}.")]
    public static partial void TokenRefused(ILogger logger, string reason, string? clientId);

    [LoggerMessage(5008, LogLevel.Information, "Started from a snapshot of the change feed: {RevokedCount} revoked tokens, at sequence {Sequence}.")]
    public static partial void SnapshotApplied(ILogger logger, int revokedCount, long sequence);

    [LoggerMessage(5009, LogLevel.Warning, "The authorization server could not be reached while authenticating a request; answered 503.")]
    public static partial void ServerUnreachable(ILogger logger, Exception exception);
}
