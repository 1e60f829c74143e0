using System.Data.Common;
using System.Net.Sockets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Credentials;

/// <summary>Tells a store being unavailable from a bug, for every endpoint that answers 503 for the one and 500 for
/// the other.</summary>
internal static class StoreFailures
{
    private static readonly Type[] StoreTypes =
    [
        typeof(IApiKeyStore), typeof(IOAuthClientStore), typeof(ISigningKeyStore), typeof(ITokenRevocationStore), typeof(IVezaSettingsStore),
        typeof(IOAuthGrantStore), typeof(IOAuthConsentStore),
        typeof(IVezaChangeFeed), typeof(IVezaUserDirectory),
    ];

    /// <summary>
    /// Whether a failure is a store being unavailable rather than a bug: a timeout, a lost connection, a database
    /// error, or anything thrown from inside one of the host's stores or its user directory. Only those are answered
    /// 503 with Retry-After; everything else is a 500.
    /// </summary>
    public static bool IsStoreFailure(Exception ex) => ex switch
    {
        CredentialStoreUnavailableException or TimeoutException or OperationCanceledException or DbException or SocketException or IOException
            or HttpRequestException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStoreFailure),
        _ => ThrownByStore(ex) || (ex.InnerException is { } inner && IsStoreFailure(inner)),
    };

    // The exception's stack, from where it was thrown to where it was caught, passes through a store's code.
    private static bool ThrownByStore(Exception ex)
    {
        foreach (var frame in new System.Diagnostics.StackTrace(ex, fNeedFileInfo: false).GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            // Async methods run in a nested state-machine type; the store is the type that declares it.
            for (var t = type; t is not null; t = t.DeclaringType)
            {
                if (StoreTypes.Any(s => s.IsAssignableFrom(t)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
