using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Veza.Authentication.Samples.WebApp;

/// <summary>One answer of the Veza server's API.</summary>
/// <param name="Path">The path called.</param>
/// <param name="Status">The HTTP status code (0 when no access token was saved).</param>
/// <param name="Body">The body, indented when it is JSON.</param>
public sealed record ApiAnswer(string Path, int Status, string Body);

/// <summary>
/// Calls the Veza server's API for the signed-in user with the access token saved in the app's cookie. When the API
/// refuses the token (401), it is renewed once with the saved refresh token (<c>grant_type=refresh_token</c>, with the
/// app's client credentials) and the call repeated; the new tokens are saved in the cookie.
/// </summary>
public sealed partial class VezaApiClient(IHttpClientFactory httpClients, IOptions<VezaServerOptions> options, TimeProvider time,
    ILogger<VezaApiClient> logger)
{
    /// <summary>The name of the <see cref="HttpClient"/> pointed at the server.</summary>
    public const string HttpClientName = "veza";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Calls each path with <c>GET</c>, in order, sharing one token renewal.</summary>
    /// <param name="context">The signed-in user's request; the cookie is rewritten when the tokens are renewed.</param>
    /// <param name="paths">The API paths.</param>
    /// <returns>One answer per path.</returns>
    public async Task<IReadOnlyList<ApiAnswer>> GetAsync(HttpContext context, params IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(paths);
        var session = await context.AuthenticateAsync();
        var tokens = session.Properties?.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal) ?? [];
        var http = httpClients.CreateClient(HttpClientName);
        var mayRefresh = true;
        var answers = new List<ApiAnswer>();
        foreach (var path in paths)
        {
            if (!tokens.TryGetValue("access_token", out var accessToken))
            {
                answers.Add(new ApiAnswer(path, 0, "No access token is saved: sign in again."));
                continue;
            }

            var answer = await SendAsync(http, path, accessToken, context.RequestAborted);
            if (answer.Status == (int)HttpStatusCode.Unauthorized && mayRefresh && session.Succeeded)
            {
                mayRefresh = false;
                if (await RefreshAsync(http, tokens, context.RequestAborted))
                {
                    session.Properties!.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
                    await context.SignInAsync(session.Principal!, session.Properties);
                    answer = await SendAsync(http, path, tokens["access_token"], context.RequestAborted);
                }
            }

            answers.Add(answer);
        }

        return answers;
    }

    private static async Task<ApiAnswer> SendAsync(HttpClient http, string path, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ApiAnswer(path, (int)response.StatusCode, Indent(body));
    }

    /// <summary>
    /// At sign-out: revokes the saved refresh token (which ends the whole authorization on the server, so the access
    /// token stops working too), or the access token when there is no refresh token (RFC 7009). Best effort: a server
    /// that cannot be reached does not keep the user signed in here.
    /// </summary>
    /// <param name="context">The signed-in user's request.</param>
    /// <returns>A task.</returns>
    public async Task RevokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = await context.AuthenticateAsync();
        var token = session.Properties?.GetTokenValue("refresh_token") ?? session.Properties?.GetTokenValue("access_token");
        if (token is null)
        {
            return;
        }

        try
        {
            using var response = await SendWithClientCredentialsAsync(httpClients.CreateClient(HttpClientName), options.Value.RevocationEndpoint,
                [new("token", token)], context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            LogRevocationFailed(logger, ex);
        }
    }

    // The app authenticates to the server with client_secret_basic (RFC 6749 §2.3.1).
    private Task<HttpResponseMessage> SendWithClientCredentialsAsync(HttpClient http, string url, IEnumerable<KeyValuePair<string, string>> form,
        CancellationToken cancellationToken)
    {
        var veza = options.Value;
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        var credentials = $"{Uri.EscapeDataString(veza.ClientId)}:{Uri.EscapeDataString(veza.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return http.SendAsync(request, cancellationToken);
    }

    // RFC 6749 §6: a new access token (and, with rotation, a new refresh token) for the saved refresh token.
    private async Task<bool> RefreshAsync(HttpClient http, Dictionary<string, string> tokens, CancellationToken cancellationToken)
    {
        if (!tokens.TryGetValue("refresh_token", out var refreshToken))
        {
            return false;
        }

        using var response = await SendWithClientCredentialsAsync(http, options.Value.TokenEndpoint,
            [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            LogRefreshRefused(logger, (int)response.StatusCode);
            return false;
        }

        using var answer = JsonDocument.Parse(body);
        var root = answer.RootElement;
        tokens["access_token"] = root.GetProperty("access_token").GetString()!;
        if (root.TryGetProperty("refresh_token", out var rotated) && rotated.GetString() is { } newRefreshToken)
        {
            tokens["refresh_token"] = newRefreshToken;
        }

        if (root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds))
        {
            tokens["expires_at"] = time.GetUtcNow().AddSeconds(seconds).ToString("o", CultureInfo.InvariantCulture);
        }

        return true;
    }

    private static string Indent(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(json.RootElement, Indented);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The Veza server refused to renew the access token ({Status}); the user has to sign in again.")]
    private static partial void LogRefreshRefused(ILogger logger, int status);

    [LoggerMessage(2, LogLevel.Warning, "The tokens could not be revoked at sign-out; they expire on their own.")]
    private static partial void LogRevocationFailed(ILogger logger, Exception exception);
}
