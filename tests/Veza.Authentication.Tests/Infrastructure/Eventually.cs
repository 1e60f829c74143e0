using System.Net;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// For work the library does off the request path (another instance's refresh, a background write): asks again until
/// the expected answer comes, 10 s at most. The only place tests poll; each poll is a bounded wait, never an assertion
/// on how long something took.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>Asks <paramref name="call"/> until it answers <paramref name="expected"/>; returns the last answer.</summary>
    public static async Task<HttpStatusCode> StatusAsync(Func<Task<HttpStatusCode>> call, HttpStatusCode expected)
    {
        var status = await call();
        var deadline = DateTime.UtcNow + Limit;
        while (status != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(Poll);
            status = await call();
        }

        return status;
    }

    public static Task<HttpStatusCode> StatusAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode expected)
        => StatusAsync(async () => (await call()).StatusCode, expected);

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds; returns the last value read.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var value = await read();
        var deadline = DateTime.UtcNow + Limit;
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(Poll);
            value = await read();
        }

        return value;
    }
}
