using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

/// <summary>
/// The logger factory the library's authentication handlers pass to <c>AuthenticationHandler</c>. The framework's
/// base class logs every failed authentication and every challenge at Information under the handler's own category
/// (event ids 7, 12 and 13), so a flood of bad requests would be a flood of log lines that the usual
/// <c>"Microsoft.AspNetCore": "Warning"</c> filter does not catch. This factory hands those three events down to
/// Debug; everything else passes unchanged. Loggers are made once per category.
/// </summary>
internal sealed class QuietHandlerLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName)
        => _loggers.GetOrAdd(categoryName, static (name, factory) => new QuietLogger(factory.CreateLogger(name)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to the host.
    }

    private sealed class QuietLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Information && eventId.Id is 7 or 12 or 13)
            {
                if (!inner.IsEnabled(LogLevel.Debug))
                {
                    return;
                }

                logLevel = LogLevel.Debug;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
