namespace Veza.Authentication.Samples.Worker;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Got an access token for {Scope}, valid for {Seconds} s.")]
    public static partial void GotToken(ILogger logger, string? scope, int seconds);

    [LoggerMessage(2, LogLevel.Information, "Round {Round}: GET /api/graph {Graph}, POST /api/integrations/push {Push}.")]
    public static partial void Round(ILogger logger, int round, int graph, int push);

    [LoggerMessage(3, LogLevel.Warning, "Round {Round} failed: {Message}")]
    public static partial void RoundFailed(ILogger logger, int round, string message);
}
