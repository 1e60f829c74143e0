using Veza.Authentication.Credentials;

namespace Veza.Authentication.Secrets;

/// <summary>
/// A store read on the authentication path: bounded by the store timeout, and any failure of the store (an exception
/// or the timeout) turned into <see cref="CredentialStoreUnavailableException"/>, so the request fails closed with 503.
/// </summary>
internal static class StoreRead
{
    public static async Task<T> WithTimeoutAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> read, TimeSpan timeout)
    {
        try
        {
            using var expiry = new CancellationTokenSource(timeout);
            return await read(state, expiry.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new CredentialStoreUnavailableException(ex);
        }
    }
}
