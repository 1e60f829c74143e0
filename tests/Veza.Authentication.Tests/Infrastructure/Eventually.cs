using System.Net;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>For changes another instance sees within its refresh interval: asks again every 100 ms, 5 s at most.</summary>
internal static class Eventually
{
    public static async Task<HttpStatusCode> StatusAsync(Func<Task<HttpStatusCode>> call, HttpStatusCode expected)
    {
        var status = await call();
        for (var i = 0; i < 50 && status != expected; i++)
        {
            await Task.Delay(100);
            status = await call();
        }

        return status;
    }

    public static Task<HttpStatusCode> StatusAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode expected)
        => StatusAsync(async () => (await call()).StatusCode, expected);
}
