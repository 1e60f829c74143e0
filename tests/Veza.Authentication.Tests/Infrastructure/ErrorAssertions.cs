using System.Net;
using System.Text.Json;

namespace Veza.Authentication.Tests.Infrastructure;

internal static class ErrorAssertions
{
    /// <summary>Checks the one JSON error shape: code, message, details[0] with @type and reason, request_id, timestamp.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, int rpcCode, string? reason = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(text, Does.Not.Contain("   at "), "no stack trace");
        });
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("code").GetInt32(), Is.EqualTo(rpcCode));
            Assert.That(json.GetProperty("message").GetString(), Is.Not.Empty);
            Assert.That(json.GetProperty("details")[0].GetProperty("@type").GetString(), Is.EqualTo("type.googleapis.com/google.rpc.ErrorInfo"));
            Assert.That(json.GetProperty("request_id").GetString(), Is.Not.Empty);
            Assert.That(DateTimeOffset.TryParse(json.GetProperty("timestamp").GetString(), out _), Is.True);
            if (reason is not null)
            {
                Assert.That(json.GetProperty("details")[0].GetProperty("reason").GetString(), Is.EqualTo(reason));
            }
        });
        return json;
    }

    /// <summary>The RFC 6749 error of an OAuth2 answer that is not a success: its <c>error</c> and <c>error_description</c>.</summary>
    public static async Task<(string Error, string Description)> OAuthErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), body);
        var json = JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("error").GetString()!, json.GetProperty("error_description").GetString()!);
    }
}
